// How the bench prints: timestamped progress lines, number formats, one-line figures and tables.
export const T0 = Date.now();

/** A progress line stamped with the seconds since the bench started. */
export const log = (...parts) => console.log(`[${((Date.now() - T0) / 1000).toFixed(1).padStart(6)} s]`, ...parts);

/** Milliseconds with fewer decimals as they grow; '—' for a missing figure. */
export const fmt = (ms, digits = 3) => (ms === undefined || Number.isNaN(ms) ? '—' : ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(digits));
export const int = (n) => n.toLocaleString('en-US');

/** One measurement (a stats() result) on one progress line. */
export const line = (label, st, extra = '') =>
  log(
    `${label.padEnd(46)} p50 ${fmt(st.p50).padStart(7)} ms  p99 ${fmt(st.p99).padStart(7)} ms  quiet p50 ${fmt(st.quiet).padStart(7)} ms  (single-call p50/p99 ${fmt(st.single50, 1)}/${fmt(st.single99, 1)} ms, ${int(st.calls)} calls)${extra}`,
  );

/** A text table: the first column left-aligned, the figures right-aligned. */
export function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const out = [headers.map((h, i) => h.padEnd(widths[i])).join(' | '), widths.map((w) => '-'.repeat(w)).join('-|-')];
  for (const r of rows) out.push(r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | '));
  return out.join('\n');
}

/** Runs one measurement; a failure is printed and recorded, and the bench goes on. */
export async function attempt(label, fn) {
  try {
    return await fn();
  } catch (err) {
    log(`${label}: FAILED — ${String(err?.message ?? err).split('\n')[0]}`);
    return undefined;
  }
}
