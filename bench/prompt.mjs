// The prompt's speed, in the same browser as the rest of the bench (scripts/bench.mjs, phase 4):
// - request → prompt clickable: from the page's signEvent call until Allow is enabled (window
//   opened, page loaded, request listed and shown, then the deliberate 600 ms click delay);
// - prompt shown → clickable: the same from the prompt page's own navigation start;
// - click → settled: from the click on Allow until the page's promise has its signature.
// Both pages stamp times with performance.timeOrigin + performance.now(), one clock for all.

const CLICK_DELAY_MS = 600;

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export async function benchPrompt({ context, admin, log, site, runs = 12 }) {
  const page = await context.newPage();
  await page.goto(site);
  await page.waitForFunction(() => 'nostr' in window);
  if (!(await admin('get_status')).hasAccount) await admin('create_account', { password: 'bench prompt password' });
  const rows = [];
  for (let i = 0; i < runs; i++) {
    const opened = context.waitForEvent('page', { predicate: (p) => p.url().includes('/src/ui/prompt/') });
    await page.evaluate((n) => {
      const w = window;
      w.__asked = performance.timeOrigin + performance.now();
      w.__settled = undefined;
      w.nostr.signEvent({ kind: 30078, content: `prompt bench ${n}`, tags: [], created_at: 1 }).then(() => (w.__settled = performance.timeOrigin + performance.now()));
    }, i);
    const prompt = await opened;
    const allow = prompt.getByTestId('prompt-allow');
    await allow.waitFor();
    // Stamp the moment the button is enabled, from inside the page (no CDP latency).
    const clickable = await prompt.evaluate(
      () =>
        new Promise((done) => {
          const stamp = () => {
            const b = document.querySelector('[data-testid="prompt-allow"]');
            if (b && !b.disabled) return done({ at: performance.timeOrigin + performance.now(), sinceNav: performance.now() });
            requestAnimationFrame(stamp);
          };
          stamp();
        }),
    );
    await prompt.evaluate(() => {
      document.querySelector('[data-testid="prompt-allow"]').addEventListener('click', () => (window.__clicked = performance.timeOrigin + performance.now()), { capture: true });
    });
    await allow.click();
    await page.waitForFunction(() => window.__settled !== undefined);
    const asked = await page.evaluate(() => window.__asked);
    const settled = await page.evaluate(() => window.__settled);
    const clicked = prompt.isClosed() ? undefined : await prompt.evaluate(() => window.__clicked).catch(() => undefined);
    rows.push({ requestToClickable: clickable.at - asked, shownToClickable: clickable.sinceNav, clickToSettled: clicked === undefined ? NaN : settled - clicked });
    if (!prompt.isClosed()) await prompt.waitForEvent('close', { timeout: 5_000 }).catch(() => undefined);
  }
  await page.close();
  const ok = rows.filter((r) => Number.isFinite(r.clickToSettled));
  log(`prompt: ${rows.length} prompts answered (${ok.length} with a click stamp)`);
  return { rows, ok };
}

export function promptSummary({ rows, ok }) {
  const f = (x) => `${x.toFixed(0)} ms`;
  const line = (name, xs) => `${name.padEnd(44)} | ${f(pct(xs, 50)).padStart(8)} | ${f(pct(xs, 95)).padStart(8)}`;
  return [
    `prompt: ${rows.length} signEvent prompts answered with Allow (the click delay is ${CLICK_DELAY_MS} ms on purpose)`,
    `${'measure'.padEnd(44)} | ${'p50'.padStart(8)} | ${'p95'.padStart(8)}`,
    line('request → prompt clickable', rows.map((r) => r.requestToClickable)),
    line('prompt shown (navigation) → clickable', rows.map((r) => r.shownToClickable)),
    line('  of which beyond the click delay', rows.map((r) => r.shownToClickable - CLICK_DELAY_MS)),
    line('click on Allow → page promise settled', ok.map((r) => r.clickToSettled)),
  ].join('\n');
}
