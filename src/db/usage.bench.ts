// `npx vitest bench src/db/usage.bench.ts`: what the pruned tally costs the guard's cap check, on
// fake-indexeddb (relative figures only: Chromium's IndexedDB is timed by `npm run bench`).
import { bench, describe } from 'vitest';
import { ruleUsage } from './usage.ts';
import { countSince, readTail } from './signingLog.ts';
import { pruneLogs } from './retention.ts';
import { revokeGrant } from './policy.ts';
import { WardenDb } from './schema.ts';
import { A, appendEntries, grant, logEntry, S, T } from '../test/db.ts';
import { uniqueDbName } from '../test/fixtures.ts';

const DAY = 86_400_000;
const owner = { origin: A, accountId: 1 };
const scope = { ...owner, method: 'sign_event' as const, kind: null };
// 20 entries in the last hour: a cap of 25 must seek the log (the tail's position is far above it) but is not spent.
const tight = { method: 'sign_event' as const, kind: null, maxUsageCount: 25, windowSeconds: 3_600 };
const clock = { now: T };

async function setUp(pruned: boolean): Promise<WardenDb> {
  const d = new WardenDb(uniqueDbName('bench'));
  // 1,000 entries over 40 days, 20 in the last hour.
  const rows = Array.from({ length: 1_000 }, (_, i) => logEntry(A, 'sign_event', i < 20 ? T - i * 60_000 : T - (i / 1_000) * 40 * DAY - 2 * 3_600_000, 1));
  await appendEntries(d, rows);
  if (pruned) {
    const g = await grant(d, A, [{ method: 'sign_event', maxUsageCount: 1_000_000 }], T - 50 * DAY);
    await revokeGrant(d, g, T - DAY);
    await pruneLogs(d, () => ({ now: T, sessionId: S }), { activityDays: null, signingLogDays: 7 });
  }
  return d;
}

for (const pruned of [false, true]) {
  describe(pruned ? 'a log pruned to 7 days (tally rows for 33 days)' : 'a log never pruned (no tally rows)', async () => {
    const d = await setUp(pruned);
    const tail = await readTail(d, scope);
    await ruleUsage(d, owner, tight, clock, { tail }); // the tally rows now in memory, as in a warm worker
    const opts = { time: 1_500 };
    bench('the log alone: countSince with the tail known (the count before the tally)', async () => {
      await countSince(d, scope, T - 3_600_000, tail);
    }, opts);
    bench('ruleUsage as the guard calls it, a cap it must seek for (the seek + the tally from memory)', async () => {
      await ruleUsage(d, owner, tight, clock, { tail, frees: 'if_spent' });
    }, opts);
    bench('ruleUsage as the guard calls it, a cap far from spent (no seek)', async () => {
      await ruleUsage(d, owner, { ...tight, maxUsageCount: 1_000_000 }, clock, { tail, frees: 'if_spent' });
    }, opts);
  });
}
