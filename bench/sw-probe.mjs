// Phase 1's view from inside the service worker: when each signEvent arrives, when its
// signing-log row is added and when that transaction commits.
import { median } from './stats.mjs';

/** Rejects after `ms` (Playwright's worker.evaluate hangs on a stopped service worker). */
export const within = (ms, promise) => Promise.race([promise, new Promise((_, no) => setTimeout(() => no(new Error(`no answer in ${ms} ms`)), ms))]);

/**
 * The service worker's own view of each request, without touching src/: a listener of our own
 * notes when each signEvent message arrives, and IDBObjectStore.prototype.add is wrapped (in this
 * throwaway browser only) to note when the signing-log row is added — after the decision and the
 * signature — and when its transaction commits. (Dexie binds IDBDatabase.transaction at open, so
 * the add is the first hook it leaves.)
 */
export function installSwProbe(worker) {
  return within(
    5_000,
    worker.evaluate(() => {
      const g = globalThis;
      if (!g.__wardenBenchProbe) {
        const probe = (g.__wardenBenchProbe = { msgs: [], adds: [] });
        chrome.runtime.onMessage.addListener((m) => {
          if (m?.type === 'nip07' && m.method === 'sign_event') probe.msgs.push(performance.now());
          return undefined;
        });
        const seen = new WeakSet();
        const original = IDBObjectStore.prototype.add;
        IDBObjectStore.prototype.add = function (...args) {
          const tx = this.transaction;
          if (!seen.has(tx) && (this.name === 'signingLog' || this.name === 'activity')) {
            seen.add(tx);
            const rec = { store: this.name, start: performance.now(), end: NaN };
            probe.adds.push(rec);
            tx.addEventListener('complete', () => (rec.end = performance.now()));
          }
          return original.apply(this, args);
        };
      }
      g.__wardenBenchProbe.msgs.length = 0;
      g.__wardenBenchProbe.adds.length = 0;
    }),
  );
}

/** Per signEvent, as the worker saw it (medians, ms). */
export async function readSwProbe(worker) {
  const { msgs, adds } = await within(5_000, worker.evaluate(() => globalThis.__wardenBenchProbe));
  const toAdd = [];
  const commit = [];
  const rest = [];
  const cycle = [];
  const activity = [];
  for (let i = 0; i + 1 < msgs.length; i++) {
    const log = adds.find((a) => a.store === 'signingLog' && a.start >= msgs[i] && a.start < msgs[i + 1]);
    if (!log || Number.isNaN(log.end)) continue;
    toAdd.push(log.start - msgs[i]);
    commit.push(log.end - log.start);
    rest.push(msgs[i + 1] - log.end);
    cycle.push(msgs[i + 1] - msgs[i]);
    const act = adds.find((a) => a.store === 'activity' && a.start >= log.start && a.start < msgs[i + 1] && !Number.isNaN(a.end));
    if (act) activity.push(act.end - act.start);
  }
  return { requests: cycle.length, cycle: median(cycle), toAdd: median(toAdd), commit: median(commit), rest: median(rest), activity: activity.length ? median(activity) : NaN, activityShare: activity.length / Math.max(1, cycle.length) };
}
