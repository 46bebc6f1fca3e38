// Driving the timers that the bench pages (roundtrip.ts, caplog.ts) export on `window`.
import { median, stats } from './stats.mjs';

/** Calls window[obj][fn](...args, options) in the page. */
export const call = (page, obj, fn, args = [], o) => page.evaluate(({ obj, fn, args, o }) => window[obj][fn](...args, o), { obj, fn, args, o });

/**
 * Times window[obj][fn] with batches big enough for the 0.1 ms timer: a probe first, then
 * batch = clamp(ceil(4 ms / per-call), 1, 20) and as many samples (scaled by `scale`, for
 * --quick) as fit in budgetMs.
 */
export async function measure(page, obj, fn, args, { samples, budgetMs, warmup = 5, minSamples = 5, scale = 1 }) {
  const probe = await call(page, obj, fn, args, { batch: 1, samples: 3, warmup: 1 });
  const t = Math.max(median(probe.singles), 0.05);
  const batch = Math.min(20, Math.max(1, Math.ceil(4 / t)));
  return stats(await call(page, obj, fn, args, { batch, samples: Math.max(minSamples, Math.round(samples * scale)), warmup, budgetMs, minSamples }));
}
