// A plain web page that bundles the extension's own signing-log code to time verify_log's walk
// (verifyChain, the function the admin RPC runs) over a chained log of up to 1,000,000 entries,
// and what a signing request waits meanwhile (the walk reads in chunks, one read transaction
// each, so appends go on between them). IndexedDB in a page and in the service worker is one backend.
import { WardenDb } from '../src/db/schema.ts';
import { entryHash, GENESIS } from '../src/db/chainHash.ts';
import { verifyChain } from '../src/db/logVerify.ts';
import { appendLog } from '../src/db/signingLog.ts';
import type { SigningLogEntry } from '../src/policy/records.ts';

const ORIGIN = 'https://bench.example';
const NAME = 'warden-bench-verify';
const DAY = 86_400_000;

let db: WardenDb;
let prev = GENESIS;
let written = 0;
let total = 0;
let t0 = 0;

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export interface VerifyBench {
  init(n: number): Promise<void>;
  /** Appends up to `n` chained entries with bulkAdd (hashed here, as the guard would have). */
  fill(n: number, chunk: number): Promise<{ written: number; left: number; ms: number }>;
  /** Writes the head row; returns the log's size. */
  finish(): Promise<number>;
  /** One walk: its time, and what it found. */
  verify(): Promise<{ ms: number; entries: number; intact: boolean }>;
  /** A walk with one append every `everyMs` beside it: the walk's time and each append's. */
  verifyWhileAppending(everyMs: number): Promise<{ ms: number; intact: boolean; appendsMs: number[] }>;
}

declare global {
  interface Window {
    verifylog: VerifyBench;
  }
}

window.verifylog = {
  async init(n) {
    db?.close();
    await WardenDb.delete(NAME);
    db = new WardenDb(NAME);
    await db.open();
    prev = GENESIS;
    written = 0;
    total = n;
    t0 = Date.now() - 31 * DAY;
  },
  async fill(n, chunk) {
    const start = performance.now();
    const random = new Uint8Array(32);
    const end = Math.min(total, written + n);
    while (written < end) {
      const size = Math.min(chunk, end - written);
      const rows: Omit<SigningLogEntry, 'id'>[] = [];
      for (let i = 0; i < size; i++) {
        const k = written + i + 1;
        crypto.getRandomValues(random);
        const e = { origin: ORIGIN, accountId: 1, method: 'sign_event' as const, kind: 1, createdAt: t0 + Math.floor((k * 30 * DAY) / total), eventId: hex(random), seqMethod: k, seqKind: k };
        const hash = entryHash(prev, e);
        rows.push({ ...e, prevHash: prev, hash });
        prev = hash;
      }
      await db.signingLog.bulkAdd(rows as SigningLogEntry[]);
      written += size;
    }
    return { written, left: total - written, ms: performance.now() - start };
  },
  async finish() {
    await db.logChain.put({ key: 'head', hash: prev, id: written });
    return db.signingLog.count();
  },
  async verify() {
    const a = performance.now();
    const r = await verifyChain(db);
    return { ms: performance.now() - a, entries: r.entries, intact: r.intact };
  },
  async verifyWhileAppending(everyMs) {
    const appendsMs: number[] = [];
    let walking = true;
    const a = performance.now();
    const walk = verifyChain(db).finally(() => (walking = false));
    const appends = (async () => {
      for (let k = 0; walking; k++) {
        const s = performance.now();
        await db.transaction('rw', db.signingLog, db.logChain, () => appendLog(db, { origin: ORIGIN, accountId: 1, method: 'sign_event', kind: 1, createdAt: Date.now() }));
        appendsMs.push(performance.now() - s);
        await new Promise((r) => setTimeout(r, everyMs));
      }
    })();
    const r = await walk;
    const ms = performance.now() - a;
    await appends;
    return { ms, intact: r.intact, appendsMs };
  },
};
