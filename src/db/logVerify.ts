// verify_log's walk over the whole signing-log chain, in chunks that never hold up signing for
// long. The chain's rules are in ./chainHash.ts, its rows in ./logChain.ts; docs/ARCHITECTURE.md
// (Signing-log hash chain) explains both.
import type { WardenDb } from './schema.ts';
import { ChainWalker } from './chainHash.ts';
import { flushHead, loadCheckpoints, readHead } from './logChain.ts';

export interface VerifyResult {
  /** Entries checked: all of them when intact, those before the break otherwise. */
  entries: number;
  intact: boolean;
  firstBrokenId?: number;
}

/** Entries per read transaction: a signing request waits for at most one chunk's read. */
export const VERIFY_CHUNK = 500;
/**
 * Entries hashed between two yields to the event loop: the walk runs on the background's one
 * thread, so a signing request that arrives meanwhile waits for at most this many hashes (a
 * fraction of a millisecond each), not for a whole chunk's.
 */
export const VERIFY_SLICE = 200;
/** One turn of the event loop, through a message (a timer chained this often would be clamped to 4 ms). */
function yieldToEvents(): Promise<void> {
  return new Promise<void>((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      port2.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

/**
 * Walks the chain in id order, each chunk in its own read transaction (hashing happens between
 * them, outside any transaction), so signing goes on meanwhile. The head is brought up to date and
 * read first: entries appended during the walk come after it. A prune that lands during the walk
 * adds checkpoints: they are read again before a missing link is called a break.
 */
export async function verifyChain(db: WardenDb, chunk = VERIFY_CHUNK): Promise<VerifyResult> {
  await flushHead(db);
  const checkpoints = async () => new Map((await loadCheckpoints(db)).map((cp) => [cp.lastHash, cp] as const));
  const head = await readHead(db);
  const walker = new ChainWalker(await checkpoints(), head);
  for (let after = 0; ; ) {
    const rows = await db.transaction('r', db.signingLog, () => db.signingLog.where('id').above(after).limit(chunk).toArray());
    for (const [n, e] of rows.entries()) {
      if (n && n % VERIFY_SLICE === 0) await yieldToEvents();
      let step = walker.step(e);
      if (!step.ok && step.why === 'link') {
        walker.setCheckpoints(await checkpoints());
        step = walker.step(e);
      }
      if (!step.ok) return { entries: walker.entries, intact: false, firstBrokenId: step.id };
    }
    if (rows.length < chunk) {
      let missing = walker.finish();
      if (missing !== null) {
        walker.setCheckpoints(await checkpoints());
        missing = walker.finish();
      }
      return missing === null ? { entries: walker.entries, intact: true } : { entries: walker.entries, intact: false, firstBrokenId: missing };
    }
    after = rows[rows.length - 1]!.id;
  }
}
