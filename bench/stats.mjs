// The bench's statistics: quantiles of per-call means, and the "quiet" figure for shared machines.

export function quantile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const i = (s.length - 1) * p;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return s[lo] + (s[hi] - s[lo]) * (i - lo);
}
export const median = (v) => quantile(v, 0.5);

/**
 * Median of each run of consecutive samples (samples are in time order): the lowest one is the
 * figure during the quietest stretch of the measurement, which filters out bursts of other work
 * on a shared machine. Returns [lowest median, index of its chunk, chunk size].
 */
export function quietest(values) {
  const size = values.length >= 40 ? 10 : Math.max(3, Math.floor(values.length / 4));
  let best = [Infinity, 0, size];
  for (let i = 0; i + size <= values.length; i += size) {
    const m = median(values.slice(i, i + size));
    if (m < best[0]) best = [m, i / size, size];
  }
  return best;
}

/** Batch means → p50/p99 per call; single-call times (0.1 ms timer) → tail only. */
export function stats(r) {
  return {
    quiet: quietest(r.perCall)[0],
    perCall: r.perCall,
    p50: median(r.perCall),
    p99: quantile(r.perCall, 0.99),
    min: Math.min(...r.perCall),
    single50: median(r.singles),
    single99: quantile(r.singles, 0.99),
    samples: r.perCall.length,
    calls: r.calls,
    value: r.value,
  };
}
