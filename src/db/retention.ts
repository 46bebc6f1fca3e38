// Retention of the activity and signing logs. The signing log is what every cap counts, so
// retention NEVER loosens a cap: an entry that any live capped rule still counts — inside its
// window, or anywhere for a lifetime cap — is never pruned, whatever the retention says; and what
// is pruned (a revoked grant's entries, say) is carried in the tally, so a cap that counts it
// later — a re-grant — still does (src/db/tally.ts).
import { z } from 'zod';
import { isLive } from '../policy/live.ts';
import type { PolicyClock } from '../policy/decide.ts';
import type { SigningLogEntry } from '../policy/records.ts';
import type { WardenDb } from './schema.ts';
import type { PruneResult, Retention } from '../shared/adminResults.ts';
import { ACTIVITY_MAX_ROWS, pruneActivity } from './activity.ts';
import { removeEntries } from './logChain.ts';
import { carryPruned } from './tally.ts';

const DAY_MS = 24 * 3600 * 1000;
/** Rows deleted per transaction: each chunk re-reads the live rules, so none is pruned on stale ones. */
const CHUNK = 5_000;

const retentionSchema: z.ZodType<Retention> = z.strictObject({
  activityDays: z.int().min(1).nullable(),
  signingLogDays: z.int().min(1).nullable(),
});
export type { Retention };
/** Activity is for reading and is bounded anyway; the signing log is kept unless the user says otherwise. */
export const DEFAULT_RETENTION: Retention = { activityDays: 90, signingLogDays: null };
const KEY: [string, string] = ['retention', 'logs'];

export async function getRetention(db: WardenDb): Promise<Retention> {
  const parsed = retentionSchema.safeParse((await db.settings.get(KEY))?.value);
  return parsed.success ? parsed.data : { ...DEFAULT_RETENTION };
}

export async function setRetention(db: WardenDb, patch: Partial<Retention>): Promise<Retention> {
  return db.transaction('rw', db.settings, async () => {
    const next = retentionSchema.parse({ ...(await getRetention(db)), ...patch });
    await db.settings.put({ collection: KEY[0], key: KEY[1], value: next });
    return next;
  });
}

/** A scope whose entries newer than `since` a live capped rule counts (since = -Infinity: all of them). */
export interface Protection {
  origin: string;
  accountId: number;
  method: SigningLogEntry['method'];
  kind: number | null;
  since: number;
}

/** What the live capped rules count right now: read inside the pruning transaction. */
export async function protections(db: WardenDb, clock: PolicyClock): Promise<Protection[]> {
  const rules = (await db.rules.toArray()).filter((r) => r.maxUsageCount !== null && isLive(r, clock.now, clock.sessionId));
  if (!rules.length) return [];
  const grants = new Map((await db.grants.bulkGet([...new Set(rules.map((r) => r.grantId))])).filter((g) => g !== undefined).map((g) => [g.id, g]));
  const out: Protection[] = [];
  for (const r of rules) {
    const g = grants.get(r.grantId);
    if (!g || !isLive(g, clock.now, clock.sessionId)) continue;
    out.push({
      origin: g.origin,
      accountId: g.accountId,
      method: r.method,
      kind: r.kind,
      since: r.windowSeconds === null ? -Infinity : clock.now - r.windowSeconds * 1000,
    });
  }
  return out;
}

export function isProtected(e: SigningLogEntry, list: readonly Protection[]): boolean {
  return list.some(
    (p) => p.origin === e.origin && p.accountId === e.accountId && p.method === e.method && (p.kind === null || p.kind === (e.kind ?? null)) && e.createdAt > p.since,
  );
}

export type { PruneResult };

/**
 * Deletes signing-log entries older than the retention that no live capped rule counts, and
 * activity rows older than theirs or past the activity table's row bound (the newest
 * `activityMaxRows` are kept whatever the retention says; docs/THREATS.md #34). Each chunk runs in one read-write transaction over the policy
 * tables and the log, so a rule added meanwhile is seen before anything it counts is deleted.
 * Deleting only entries no window reaches keeps every count exact (see countSince).
 */
export async function pruneLogs(db: WardenDb, clock: () => PolicyClock, retention?: Retention, activityMaxRows = ACTIVITY_MAX_ROWS): Promise<PruneResult> {
  const r = retention ?? (await getRetention(db));
  const result: PruneResult = { activityDeleted: 0, signingLogDeleted: 0, signingLogKept: 0 };
  const now = clock().now;
  if (r.activityDays !== null) result.activityDeleted = await db.activity.where('createdAt').below(now - r.activityDays * DAY_MS).delete();
  result.activityDeleted += await pruneActivity(db, activityMaxRows);
  if (r.signingLogDays === null) return result;
  const cutoff = now - r.signingLogDays * DAY_MS;
  let after = -Infinity;
  for (;;) {
    const step = await db.transaction('rw', [db.grants, db.rules, db.signingLog, db.logChain, db.logTally], async () => {
      const list = await protections(db, clock());
      const old = await db.signingLog.where('createdAt').between(after, cutoff, false, false).limit(CHUNK).toArray();
      const doomed = old.filter((e) => !isProtected(e, list));
      // Counted on in the tally: a cap re-granted later still sees them (src/db/tally.ts).
      await carryPruned(db, doomed);
      // Leaves a checkpoint for what it removes, so the pruned log still verifies.
      await removeEntries(db, old, doomed.map((e) => e.id));
      return { seen: old.length, deleted: doomed.length, last: old[old.length - 1]?.createdAt };
    });
    result.signingLogDeleted += step.deleted;
    result.signingLogKept += step.seen - step.deleted;
    if (step.seen < CHUNK || step.last === undefined) break;
    // Entries sharing the chunk's last createdAt that did not fit in it wait for the next run.
    after = step.last;
  }
  return result;
}
