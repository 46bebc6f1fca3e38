// A plain web page that bundles the extension's own background code — WardenDb, countSince, the
// guard and the router, built with createContext() exactly as the service worker builds them —
// to time the cap check against signing logs of 1k…1M entries and take the hot path apart
// without any browser messaging. IndexedDB in a page and in the service worker is one backend.
import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure';
import Dexie from 'dexie';
import { WardenDb } from '../src/db/schema.ts';
import { countSince, type LogScope } from '../src/db/signingLog.ts';
import { createContext, type BackgroundContext } from '../src/background/context.ts';
import { createRouter, type Router } from '../src/background/router.ts';
import { guard, type GuardRequest, type Operation } from '../src/background/guard.ts';
import { MemorySessionStore } from '../src/vault/sessionStore.ts';
import type { SigningLogEntry } from '../src/policy/records.ts';
import { timeBatches, type BatchOptions, type BatchResult } from './timing.ts';

const ORIGIN = 'https://bench.example';
const EXTENSION = 'chrome-extension://wardenbench';
const ADMIN_SENDER = { id: 'wardenbench', url: `${EXTENSION}/src/ui/options/index.html` };
const SITE_SENDER = { id: 'wardenbench', url: `${ORIGIN}/index.html`, origin: ORIGIN, frameId: 0, tab: { id: 1, url: `${ORIGIN}/index.html` } };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Entries inside the last hour; every other entry is at least 2 hours old. */
const IN_HOUR = 20;
/** The kind-1 rule set of the bench: three stacked caps, never reached. */
const CAPS = [
  { method: 'sign_event', kind: 1, maxUsageCount: 1_000_000, windowSeconds: 3_600 },
  { method: 'sign_event', kind: 1, maxUsageCount: 5_000_000, windowSeconds: 86_400 },
  { method: 'sign_event', kind: 1, maxUsageCount: 50_000_000 },
];

type Part = 'tx' | 'txWrite' | 'bareWrite' | 'guardNoop' | 'guardNoActivity' | 'guardSign' | 'route';

export interface CaplogBench {
  /** A fresh database for a log of `size` entries; account + grant made through the admin RPC. */
  init(size: number): Promise<{ accountId: number; grantId: number; ruleIds: number[] }>;
  /** Appends up to `n` of the old entries (in time order, with their sequence numbers). */
  fill(n: number, chunk: number): Promise<{ written: number; left: number; ms: number }>;
  /** Appends the 20 entries of the last hour; returns the log's size. */
  finish(): Promise<number>;
  count(windowSeconds: number | null, o: BatchOptions): Promise<BatchResult & { value: number }>;
  countAlone(windowSeconds: number | null, o: BatchOptions): Promise<BatchResult & { value: number }>;
  part(name: Part, o: BatchOptions): Promise<BatchResult>;
  /** Remembers the log's end, to undo what the next parts append. */
  mark(): Promise<void>;
  /** Deletes what was appended since mark() and starts a fresh background context (cold caches). */
  undo(): Promise<void>;
  /** Caps low enough that the guard must seek the log for both windowed caps (yet never reached). */
  tighten(): Promise<number[]>;
  loosen(): Promise<void>;
}

declare global {
  interface Window {
    caplog: CaplogBench;
  }
}

let db: WardenDb;
let session: MemorySessionStore;
let ctx: BackgroundContext;
let route: Router;
let accountId = 0;
let grantId = 0;
let ruleIds: number[] = [];
let oldTotal = 0;
let written = 0;
let t0 = 0;
let markLog = 0;
let markActivity = 0;
let dbName = '';
let serial = 0;
let bare: Dexie | undefined;
const sk = generateSecretKey();

async function freshContext(): Promise<void> {
  ctx = createContext({ db, session, extensionOrigin: EXTENSION, scryptLogN: 8 });
  route = createRouter(ctx);
  await ctx.ready;
}

async function admin<T>(method: string, params: unknown): Promise<T> {
  const reply = (await route({ type: 'admin', method, params }, ADMIN_SENDER)) as { ok: boolean; result?: T; error?: { code: string; message: string } };
  if (!reply.ok) throw new Error(`${method}: ${reply.error?.code} ${reply.error?.message}`);
  return reply.result as T;
}

const scope = (): LogScope => ({ origin: ORIGIN, accountId, method: 'sign_event', kind: 1 });
const guardReq = (): GuardRequest => ({ origin: ORIGIN, accountId, method: 'sign_event', kind: 1 });
const template = () => ({ kind: 1, content: `bench ${serial++}`, tags: [['t', 'bench']], created_at: Math.floor(Date.now() / 1000) });

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/**
 * A row as the background appends it: seqMethod / seqKind are the entry's position in its scope
 * (src/db/signingLog.ts), assigned here in createdAt order.
 */
function row(createdAt: number, seq: number, random: Uint8Array<ArrayBuffer>): Omit<SigningLogEntry, 'id'> {
  crypto.getRandomValues(random);
  return { origin: ORIGIN, accountId, method: 'sign_event', kind: 1, createdAt, grantId, eventId: hex(random), seqMethod: seq, seqKind: seq };
}

const signOp: Operation<unknown> = () => {
  const signed = finalizeEvent(template(), sk);
  return { value: signed, eventId: signed.id };
};
const noopOp: Operation<unknown> = () => ({ value: null, eventId: hex(crypto.getRandomValues(new Uint8Array(32))) });

/** The context with activity rows dropped instead of written (a diagnostic, not a configuration). */
const withoutActivity = () => ({ ...ctx, activity: { push: () => {}, flush: async () => {} } }) as unknown as BackgroundContext;

async function guardOnce(run: Operation<unknown>, deps: BackgroundContext = ctx): Promise<void> {
  const result = await guard(deps, guardReq(), run);
  if (result.type !== 'allowed') throw new Error(`the guard did not allow: ${result.type === 'refused' ? result.error.message : result.reason}`);
}

async function routeOnce(): Promise<void> {
  const reply = (await route({ type: 'nip07', id: `bench-${serial}`, method: 'sign_event', params: { event: template() } }, SITE_SENDER)) as { ok: boolean; error?: { message: string } };
  if (!reply.ok) throw new Error(`sign_event refused: ${reply.error?.message}`);
}

function sinceOf(windowSeconds: number | null): number {
  return windowSeconds === null ? -Infinity : Date.now() - windowSeconds * 1000;
}

window.caplog = {
  async init(size) {
    if (dbName) await WardenDb.delete(dbName);
    dbName = `warden-bench-${size}`;
    await WardenDb.delete(dbName);
    db = new WardenDb(dbName);
    session = new MemorySessionStore();
    await freshContext();
    ({ accountId } = await admin<{ accountId: number }>('create_account', { password: 'bench password', label: 'bench' }));
    ({ grantId } = await admin<{ grantId: number }>('grant', { origin: ORIGIN, rules: CAPS }));
    const policies = await admin<{ grants: { id: number; rules: { id: number }[] }[] }>('get_policies', { origin: ORIGIN });
    ruleIds = policies.grants.find((g) => g.id === grantId)!.rules.map((r) => r.id);
    t0 = Date.now();
    oldTotal = size - IN_HOUR;
    written = 0;
    return { accountId, grantId, ruleIds };
  },
  async fill(n, chunk) {
    const start = performance.now();
    const random = new Uint8Array(32);
    // Old entries: evenly spread over the 30 days that end 2 hours before t0.
    const from = t0 - 2 * HOUR - 30 * DAY;
    const end = Math.min(oldTotal, written + n);
    while (written < end) {
      const size = Math.min(chunk, end - written);
      const rows = Array.from({ length: size }, (_, i) => {
        const k = written + i;
        return row(from + Math.floor((k * 30 * DAY) / oldTotal), k + 1, random);
      });
      await db.signingLog.bulkAdd(rows as SigningLogEntry[]);
      written += size;
    }
    return { written, left: oldTotal - written, ms: performance.now() - start };
  },
  async finish() {
    const random = new Uint8Array(32);
    // 20 entries 20…1 minutes old: inside a 1-hour window for the whole run.
    const rows = Array.from({ length: IN_HOUR }, (_, i) => row(t0 - (IN_HOUR - i) * MINUTE, oldTotal + i + 1, random));
    await db.signingLog.bulkAdd(rows as SigningLogEntry[]);
    return db.signingLog.count();
  },
  async count(windowSeconds, o) {
    // `batch` counts inside one read transaction per sample: the guard also counts inside its transaction.
    let value = -1;
    const perCall: number[] = [];
    const singles: number[] = [];
    const start = performance.now();
    for (let i = 0; i < o.warmup; i++) value = await countSince(db, scope(), sinceOf(windowSeconds));
    for (let s = 0; s < o.samples; s++) {
      await db.transaction('r', db.signingLog, async () => {
        const a = performance.now();
        let prev = a;
        for (let i = 0; i < o.batch; i++) {
          value = await countSince(db, scope(), sinceOf(windowSeconds));
          const t = performance.now();
          singles.push(t - prev);
          prev = t;
        }
        perCall.push((prev - a) / o.batch);
      });
      if (o.budgetMs !== undefined && performance.now() - start > o.budgetMs && perCall.length >= (o.minSamples ?? 5)) break;
    }
    return { perCall, singles, calls: perCall.length * o.batch, wallMs: performance.now() - start, value };
  },
  async countAlone(windowSeconds, o) {
    let value = -1;
    const r = await timeBatches(async () => {
      value = await countSince(db, scope(), sinceOf(windowSeconds));
    }, o);
    return { ...r, value };
  },
  part(name, o) {
    switch (name) {
      case 'tx':
        // An empty read-write transaction over the guard's stores: IndexedDB's fixed cost.
        return timeBatches(() => db.transaction('rw', [db.grants, db.rules, db.overrides, db.settings, db.signingLog], async () => {}), o);
      case 'txWrite': {
        // One signing-log row added in a read-write transaction (the log has 6 indexes).
        const random = new Uint8Array(32);
        return timeBatches(
          () => db.transaction('rw', [db.grants, db.rules, db.overrides, db.settings, db.signingLog], async () => {
            await db.signingLog.add(row(Date.now(), oldTotal + IN_HOUR + ++serial, random) as SigningLogEntry);
          }),
          o,
        );
      }
      case 'bareWrite': {
        // The same row into a store with no index at all, in a database of its own.
        const random = new Uint8Array(32);
        return (async () => {
          if (!bare) {
            bare = new Dexie('warden-bench-bare', { chromeTransactionDurability: 'relaxed' });
            bare.version(1).stores({ log: '++id' });
            await bare.open();
          }
          const table = bare.table('log');
          const r = await timeBatches(() => bare!.transaction('rw', table, async () => {
            await table.add(row(Date.now(), ++serial, random));
          }), o);
          await table.clear();
          return r;
        })();
      }
      case 'guardNoop':
        // The guard as the background runs it, minus the crypto.
        return timeBatches(() => guardOnce(noopOp), o);
      case 'guardNoActivity': {
        // The same without the activity row (written in a transaction of its own after the decision).
        const deps = withoutActivity();
        return timeBatches(() => guardOnce(noopOp, deps), o);
      }
      case 'guardSign':
        return timeBatches(() => guardOnce(signOp), o);
      case 'route':
        // The whole background side of a signEvent (router, zod, handler, guard, sign), no messaging.
        return timeBatches(routeOnce, o);
    }
  },
  async mark() {
    markLog = ((await db.signingLog.orderBy('id').lastKey()) as number | undefined) ?? 0;
    markActivity = ((await db.activity.orderBy('id').lastKey()) as number | undefined) ?? 0;
  },
  async undo() {
    await ctx.activity.flush();
    await db.signingLog.where('id').above(markLog).delete();
    await db.activity.where('id').above(markActivity).delete();
    // The old context's caches (tails of the log) describe rows that are gone.
    await freshContext();
  },
  async tighten() {
    const day = await countSince(db, scope(), sinceOf(86_400));
    const caps = [1_000, Math.max(1_000, day + 2_000)];
    await admin('update_policy_rule', { ruleId: ruleIds[0], maxUsageCount: caps[0] });
    await admin('update_policy_rule', { ruleId: ruleIds[1], maxUsageCount: caps[1] });
    return caps;
  },
  async loosen() {
    await admin('update_policy_rule', { ruleId: ruleIds[0], maxUsageCount: CAPS[0]!.maxUsageCount });
    await admin('update_policy_rule', { ruleId: ruleIds[1], maxUsageCount: CAPS[1]!.maxUsageCount });
  },
};
