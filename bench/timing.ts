// Batch timing for pages, where performance.now() is coarsened to 0.1 ms: time N sequential
// calls per sample and divide, so a per-call figure is accurate to 0.1 ms / N.

export interface BatchOptions {
  /** Sequential calls per sample. */
  batch: number;
  /** Samples wanted (fewer if budgetMs runs out first). */
  samples: number;
  /** Untimed calls first. */
  warmup: number;
  /** Stop taking samples once this much wall time has passed (after minSamples). */
  budgetMs?: number;
  minSamples?: number;
}

export interface BatchResult {
  /** Mean per-call time of each sample (ms). */
  perCall: number[];
  /** Each call timed on its own (ms, 0.1 ms resolution): only good for tails. */
  singles: number[];
  calls: number;
  wallMs: number;
}

function enough(o: BatchOptions, start: number, taken: number): boolean {
  return o.budgetMs !== undefined && performance.now() - start > o.budgetMs && taken >= (o.minSamples ?? 5);
}

export async function timeBatches(fn: () => unknown, o: BatchOptions): Promise<BatchResult> {
  for (let i = 0; i < o.warmup; i++) await fn();
  const perCall: number[] = [];
  const singles: number[] = [];
  const start = performance.now();
  for (let s = 0; s < o.samples; s++) {
    const t0 = performance.now();
    let prev = t0;
    for (let i = 0; i < o.batch; i++) {
      await fn();
      const t = performance.now();
      singles.push(t - prev);
      prev = t;
    }
    perCall.push((prev - t0) / o.batch);
    if (enough(o, start, perCall.length)) break;
  }
  return { perCall, singles, calls: perCall.length * o.batch, wallMs: performance.now() - start };
}

/** The same for a synchronous function (no await between calls). */
export function timeBatchesSync(fn: () => unknown, o: BatchOptions): BatchResult {
  for (let i = 0; i < o.warmup; i++) fn();
  const perCall: number[] = [];
  const singles: number[] = [];
  const start = performance.now();
  for (let s = 0; s < o.samples; s++) {
    const t0 = performance.now();
    let prev = t0;
    for (let i = 0; i < o.batch; i++) {
      fn();
      const t = performance.now();
      singles.push(t - prev);
      prev = t;
    }
    perCall.push((prev - t0) / o.batch);
    if (enough(o, start, perCall.length)) break;
  }
  return { perCall, singles, calls: perCall.length * o.batch, wallMs: performance.now() - start };
}

/**
 * A raw in-page function and a signer call timed in turns, one batch of each per sample (after
 * one warm-up of each), so both see the same moments of the machine.
 */
export async function timePaired(rawFn: () => unknown, signFn: () => unknown, o: BatchOptions): Promise<{ raw: BatchResult; sign: BatchResult }> {
  timeBatchesSync(rawFn, { ...o, samples: 0 });
  await timeBatches(signFn, { ...o, samples: 0 });
  const raw: BatchResult = { perCall: [], singles: [], calls: 0, wallMs: 0 };
  const sign: BatchResult = { perCall: [], singles: [], calls: 0, wallMs: 0 };
  const add = (to: BatchResult, r: BatchResult) => {
    to.perCall.push(...r.perCall);
    to.singles.push(...r.singles);
    to.calls += r.calls;
    to.wallMs += r.wallMs;
  };
  for (let s = 0; s < o.samples; s++) {
    add(raw, timeBatchesSync(rawFn, { batch: o.batch, samples: 1, warmup: 0 }));
    add(sign, await timeBatches(signFn, { batch: o.batch, samples: 1, warmup: 0 }));
  }
  return { raw, sign };
}
