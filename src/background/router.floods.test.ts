// Floods never reach storage and never starve another site (docs/THREATS.md #7, #34): the bounds
// on waiting requests and the per-site rate check come before anything is read or written,
// repeated refusals are one activity row with a count, waiting requests are bounded across all
// sites, one site's queue of guard work does not hold up another's, and the activity table's row
// bound is enforced by the retention job.
import { describe, expect, it, vi } from 'vitest';
import type { WireResponse } from '../shared/errors.ts';
import type { ActivityEntry } from '../policy/records.ts';
import { pruneLogs } from '../db/retention.ts';
import { ACTIVITY_MAX_ROWS, pageActivity } from '../db/activity.ts';
import { MAX_WAITING_TOTAL } from './prompts/queue.ts';
import { MAX_GROUP } from './guard.ts';
import { code, logCount, makeHarness, OTHER, siteSender, SITE, T0, waitPending, withAccount, type AccountHarness } from '../test/background.ts';
import { uniqueDbName, waitFor } from '../test/fixtures.ts';
import { MemorySessionStore } from '../vault/sessionStore.ts';

vi.setConfig({ testTimeout: 60_000 });

const N = 1_000;

/** The activity list as the pages read it (the activity table and the allowed requests' signing-log entries), oldest first. */
async function activity(h: AccountHarness): Promise<ActivityEntry[]> {
  await h.ctx.activity.flush();
  return (await pageActivity(h.ctx.db, { limit: 100_000 })).entries.reverse();
}

/** How many decisions the rows stand for. */
const decisions = (rows: ActivityEntry[], outcome?: string) => rows.filter((r) => !outcome || r.outcome === outcome).reduce((n, r) => n + (r.count ?? 1), 0);

/** Counts the guard's read-write transactions (those over the signing log) from now on. */
function countGuardTransactions(h: AccountHarness): { n: number } {
  const seen = { n: 0 };
  const db = h.ctx.db;
  const original = db.transaction.bind(db) as (...args: unknown[]) => unknown;
  vi.spyOn(db, 'transaction').mockImplementation(((...args: unknown[]) => {
    if (args.some((a) => a === db.signingLog || (Array.isArray(a) && a.includes(db.signingLog)))) seen.n++;
    return original(...args);
  }) as typeof db.transaction);
  return seen;
}

/** Sends n sign_event calls at once and records the order in which they settle. */
function flood(h: AccountHarness, origin: string, n: number, settled: string[] = []): Promise<WireResponse>[] {
  return Array.from({ length: n }, (_, i) =>
    h.sign(origin, { content: `flood ${i}` }).then((r) => {
      settled.push(origin);
      return r;
    }),
  );
}

describe('a flood of one site', () => {
  it(`${N} unanswered calls of an ungranted site: 20 wait, the rest are rate_limited, and they leave a handful of activity rows whose counts add up to ${N}`, async () => {
    const h = await withAccount();
    const tx = countGuardTransactions(h);
    const calls = flood(h, SITE, N);
    const early: WireResponse[] = [];
    for (const p of calls) void p.then((r) => early.push(r));
    await waitFor(() => early.length >= N - 20, 20_000, 'the excess refused');
    expect(early.map(code)).toEqual(Array(N - 20).fill('rate_limited'));
    expect(await h.pending()).toHaveLength(20);

    const rows = await activity(h);
    expect(rows.length).toBeLessThanOrEqual(25);
    expect(rows.filter((r) => r.outcome === 'asked')).toHaveLength(20);
    expect(rows.filter((r) => r.outcome === 'rate_limited').length).toBeLessThanOrEqual(3);
    expect(decisions(rows, 'rate_limited')).toBe(N - 20);
    expect(decisions(rows)).toBe(N);
    // Refused before its transaction: the flood costs about one guard transaction per waiting
    // request, not one per call.
    expect(tx.n).toBeLessThan(60);
    expect(await logCount(h)).toBe(0);
  });

  it(`${N} calls of a paused site: one denied row ×${N}; the next burst is refused by the rate check before the policy is read, in one more row`, async () => {
    const h = await withAccount();
    await h.ok('pause_site', { origin: SITE });
    expect((await Promise.all(flood(h, SITE, N))).map(code)).toEqual(Array(N).fill('denied'));
    const rows = await activity(h);
    expect(rows.map((r) => [r.outcome, r.count])).toEqual([['denied', N]]);
    const load = vi.spyOn(h.ctx.policy, 'load');
    expect((await Promise.all(flood(h, SITE, N))).map(code)).toEqual(Array(N).fill('rate_limited'));
    expect(load).not.toHaveBeenCalled();
    const after = await activity(h);
    expect(after.map((r) => [r.outcome, r.count])).toEqual([
      ['denied', N],
      ['rate_limited', N],
    ]);
  });

  it(`${N} calls against a spent cap: the allowed ones each have their row, the refusals share one`, async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', maxUsageCount: 3, windowSeconds: 3_600 }] });
    const results = await Promise.all(flood(h, SITE, N));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.filter((r) => code(r) === 'cap_exceeded')).toHaveLength(N - 3);
    const rows = await activity(h);
    expect(rows.filter((r) => r.outcome === 'allowed')).toHaveLength(3);
    expect(rows.filter((r) => r.outcome === 'cap_exceeded')).toHaveLength(1);
    expect(decisions(rows, 'cap_exceeded')).toBe(N - 3);
    expect(await logCount(h)).toBe(3);
  });

  it('the rate check gives a refused site its requests back with time', async () => {
    const h = await withAccount({ refusalBurst: 10, refusalsPerSecond: 2 });
    await h.ok('set_override', { origin: SITE, method: 'sign_event', kind: 1, effect: 'deny' });
    for (let i = 0; i < 10; i++) expect(code(await h.sign(SITE))).toBe('denied');
    expect(code(await h.sign(SITE))).toBe('rate_limited');
    // Another site is not touched by this site's refusals.
    await h.ok('grant', { origin: OTHER, rules: [{ method: 'sign_event' }] });
    expect(code(await h.sign(OTHER))).toBe('ok');
    h.clock.t += 1_000; // two refusals back
    const next = [];
    for (let i = 0; i < 3; i++) next.push(code(await h.sign(SITE)));
    expect(next).toEqual(['denied', 'denied', 'rate_limited']);
  });
});

describe('re-sent requests are not new', () => {
  it('after a worker restart, a request of a site whose queue is full takes back its place', async () => {
    const dbName = uniqueDbName('floods');
    const session = new MemorySessionStore();
    const first = makeHarness({ dbName, session, now: Date.now });
    await first.ok('create_account', { password: 'pw pw pw' });
    const request = (id: string) => ({ type: 'nip07', id, method: 'sign_event', params: { event: { kind: 1, content: id, tags: [], created_at: 1 } } });
    const ids = Array.from({ length: 20 }, () => crypto.randomUUID());
    for (const id of ids) void first.route(request(id), siteSender(SITE));
    await waitPending(first, 20);
    await waitFor(async () => ((await session.get<unknown[]>('prompts.pending')) ?? []).length === 20, 3_000, 'the pending list saved');
    first.ctx.db.close();

    const second = makeHarness({ dbName, session, now: Date.now });
    await waitPending(second, 20);
    // A new request of the site is refused: 20 wait.
    expect(code(await second.route(request(crypto.randomUUID()), siteSender(SITE)))).toBe('rate_limited');
    // The page sends one of its waiting requests again: it is not new, and gets its place back.
    const again = second.route(request(ids[0]!), siteSender(SITE));
    const mine = await waitFor(async () => (await second.pending()).find((p) => (second.ctx.prompts.get(p.promptId)?.requestId ?? '') === ids[0] && !second.ctx.prompts.get(p.promptId)?.need), 3_000, 'its place back');
    await second.ok('resolve_prompt', { promptId: mine.promptId, decision: 'allow' });
    expect(code(await again)).toBe('ok');
  });
});

describe('waiting requests across all sites', () => {
  it(`at most ${MAX_WAITING_TOTAL} wait in all: frames of many subdomains cannot grow the queue without limit`, async () => {
    const h = await withAccount();
    const sites = Array.from({ length: 12 }, (_, i) => `https://s${i}.site.example`);
    const calls = sites.flatMap((s) => flood(h, s, 20));
    const early: WireResponse[] = [];
    for (const p of calls) void p.then((r) => early.push(r));
    await waitFor(() => early.length >= 12 * 20 - MAX_WAITING_TOTAL, 20_000, 'the excess refused');
    expect(early.map(code)).toEqual(Array(12 * 20 - MAX_WAITING_TOTAL).fill('rate_limited'));
    expect(await h.pending()).toHaveLength(MAX_WAITING_TOTAL);
    // A site that has nothing waiting is refused too while the queue is full...
    expect(code(await h.sign('https://fresh.example'))).toBe('rate_limited');
    // ...and queues again once there is room.
    const one = (await h.pending())[0]!;
    await h.ok('resolve_prompt', { promptId: one.promptId, decision: 'deny' });
    const fresh = h.sign('https://fresh.example');
    await waitPending(h, 1, 'https://fresh.example');
    expect(await h.pending()).toHaveLength(MAX_WAITING_TOTAL);
    void fresh;
  });
});

describe('fairness between sites', () => {
  it('while one site has 200 requests in the guard queue, another site waits for at most one group of them', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event' }] });
    await h.ok('grant', { origin: OTHER, rules: [{ method: 'sign_event' }] });
    // The other site's policy is in the cache, as for any site in use: its way to the guard reads nothing.
    expect(code(await h.sign(OTHER))).toBe('ok');
    const settled: string[] = [];
    const a = flood(h, SITE, 200, settled);
    // Once the first of the flood is signed, the rest of it waits in the guard's queue.
    await waitFor(() => settled.length >= 1, 5_000, 'the flood under way');
    const done = settled.length;
    const [b] = flood(h, OTHER, 1, settled);
    expect(code(await b!)).toBe('ok');
    // Of the flood, only the group whose transaction ran while the other site's request made its
    // way to the guard (a group is at most MAX_GROUP requests: docs/ARCHITECTURE.md, Group commit).
    expect(settled.indexOf(OTHER) - done).toBeLessThanOrEqual(MAX_GROUP + 2);
    expect((await Promise.all(a)).every((r) => r.ok)).toBe(true);
    expect(settled.filter((s) => s === SITE)).toHaveLength(200);
  });

  it('a granted site asking while an unanswered flood is being queued is signed after at most a couple of its guard turns', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: OTHER, rules: [{ method: 'sign_event' }] });
    expect(code(await h.sign(OTHER))).toBe('ok');
    // Both sites' policies are cached, as for sites in use: nothing but the guard's queue orders them.
    await h.ctx.policy.load(SITE, h.account.accountId, h.clock.t);
    const settled: string[] = [];
    const calls = flood(h, SITE, N, settled);
    // Sent right behind the flood: every one of the flood is ahead of it in the guard's queue.
    const b = await h.sign(OTHER);
    expect(code(b)).toBe('ok');
    // Signed before the flood's first 20 were even all waiting (at most one group of it went
    // first), let alone its 980 refusals.
    expect(h.ctx.prompts.list().length).toBeLessThanOrEqual(Math.min(MAX_GROUP + 3, 19));
    expect(settled).toEqual([]);
    const early: WireResponse[] = [];
    for (const p of calls) void p.then((r) => early.push(r));
    await waitFor(() => early.length >= N - 20, 20_000, 'the excess refused');
  });
});

describe('the activity row bound', () => {
  const row = (i: number): Omit<ActivityEntry, 'id'> => ({ origin: SITE, method: 'sign_event', kind: 1, outcome: 'allowed', reason: `r${i}`, createdAt: T0 + i });

  it('pruneLogs keeps the newest rows up to the bound, whatever the retention in days', async () => {
    const h = await withAccount();
    await h.ctx.db.activity.bulkAdd(Array.from({ length: 60 }, (_, i) => row(i)) as ActivityEntry[]);
    const r = await pruneLogs(h.ctx.db, h.ctx.clock, { activityDays: null, signingLogDays: null }, 50);
    expect(r.activityDeleted).toBe(10);
    expect((await h.ctx.db.activity.toArray()).map((e) => e.reason)).toEqual(Array.from({ length: 50 }, (_, i) => `r${i + 10}`));
  });

  it(`prune_now (what the hourly alarm runs) enforces the default bound of ${ACTIVITY_MAX_ROWS} rows`, async () => {
    const h = await withAccount();
    await h.ctx.db.activity.bulkAdd(Array.from({ length: ACTIVITY_MAX_ROWS + 7 }, (_, i) => row(i)) as ActivityEntry[]);
    const r = await h.ok('prune_now');
    expect(r.activityDeleted).toBe(7);
    expect(await h.ctx.db.activity.count()).toBe(ACTIVITY_MAX_ROWS);
    expect((await h.ctx.db.activity.orderBy('id').first())!.reason).toBe('r7');
  });
});
