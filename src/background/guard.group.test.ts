// Group commit (docs/ARCHITECTURE.md, Group commit): requests waiting when a transaction starts
// share it; a lone request runs at once; the group never overshoots a cap; a group that fails
// answers every member `internal` and leaves nothing; no answer goes before the commit.
import { describe, expect, it, vi } from 'vitest';
import type { BackgroundContext } from './context.ts';
import { guard, MAX_GROUP, type GuardRequest, type GuardResult, type Operation } from './guard.ts';
import { createGrant } from '../db/policy.ts';
import { appendEntries, logEntry } from '../test/db.ts';
import { makeContext, T0 } from '../test/background.ts';
import { WardenError } from '../shared/errors.ts';

const A = 'https://a.example';
const B = 'https://b.example';
const HOUR = 3_600_000;
const req = (origin = A, requestId?: string): GuardRequest => ({ origin, accountId: 1, method: 'sign_event', kind: 1, ...(requestId ? { requestId } : {}) });
const noop: Operation<null> = () => ({ value: null });
const outcome = (r: PromiseSettledResult<GuardResult<unknown>>) =>
  r.status === 'rejected' ? `threw ${(r.reason as WardenError).code}` : r.value.type === 'refused' ? r.value.error.code : r.value.type;

async function context(clock = { t: T0 }): Promise<{ ctx: BackgroundContext; clock: { t: number } }> {
  const { ctx } = makeContext({ clock });
  await ctx.ready;
  return { ctx, clock };
}

/** Counts the guard's read-write transactions. */
function countTransactions(ctx: BackgroundContext) {
  const spy = vi.spyOn(ctx.db, 'transaction');
  return () => spy.mock.calls.filter((c) => c[0] === 'rw').length;
}

describe('group commit', () => {
  it('a lone request runs at once in a transaction of its own; the requests waiting behind it share the next one', async () => {
    const { ctx } = await context();
    await createGrant(ctx.db, { origin: A, accountId: 1, rules: [{ method: 'sign_event', kind: 1 }] }, T0, ctx.clock().sessionId);
    const rw = countTransactions(ctx);
    expect((await guard(ctx, req(), noop)).type).toBe('allowed');
    expect(rw()).toBe(1);
    // The queue is idle again (its turn ends just after the answer).
    await new Promise((r) => setTimeout(r, 0));
    const results = await Promise.all(Array.from({ length: 6 }, () => guard(ctx, req(), noop)));
    expect(results.map((r) => r.type)).toEqual(Array(6).fill('allowed'));
    // The first found the queue empty and ran alone; the five behind it went together.
    expect(rw()).toBe(1 + 2);
    expect(await ctx.db.signingLog.count()).toBe(7);
  });

  it(`a group holds at most MAX_GROUP (${MAX_GROUP}) requests, and takes them round-robin between sites`, async () => {
    const { ctx } = await context();
    for (const origin of [A, B]) await createGrant(ctx.db, { origin, accountId: 1, rules: [{ method: 'sign_event', kind: 1 }] }, T0, ctx.clock().sessionId);
    const rw = countTransactions(ctx);
    const n = 2 * MAX_GROUP;
    const all = [...Array.from({ length: n }, (_, i) => guard(ctx, req(A, `a${i}`), noop)), guard(ctx, req(B, 'b0'), noop)];
    await Promise.all(all);
    // 1 alone, then ceil((n - 1 + 1) / MAX_GROUP) groups.
    expect(rw()).toBe(1 + Math.ceil(n / MAX_GROUP));
    const order = (await ctx.db.signingLog.orderBy('id').toArray()).map((e) => e.requestId);
    // b0 arrived last, behind the whole flood of A, yet went in the first group after the lone one.
    expect(order.indexOf('b0')).toBeLessThanOrEqual(2);
  });

  // [cap, already in the window, requests at once] → allowed: exactly what the cap has room for.
  const CAPS: [number, number, number][] = [
    [3, 0, 8],
    [5, 2, 10],
    [4, 4, 6],
    [1, 0, MAX_GROUP + 5],
    [MAX_GROUP + 3, 0, 3 * MAX_GROUP],
    [10, 9, 2],
  ];
  it.each(CAPS)('cap %i with %i already used, %i requests at once: exactly the room is allowed, the rest cap_exceeded', async (cap, used, n) => {
    const clock = { t: T0 };
    const { ctx } = await context(clock);
    await createGrant(ctx.db, { origin: A, accountId: 1, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: cap, windowSeconds: 3600 }] }, T0 - HOUR, ctx.clock().sessionId);
    // Entries in the window (and one just outside it, which must not count).
    await appendEntries(ctx.db, [logEntry(A, 'sign_event', T0 - HOUR - 1, 1), ...Array.from({ length: used }, (_, i) => logEntry(A, 'sign_event', T0 - HOUR + 10 + i, 1))]);
    const results = await Promise.allSettled(Array.from({ length: n }, () => guard(ctx, req(), noop)));
    const room = Math.max(0, cap - used);
    const allowed = Math.min(room, n);
    expect(results.map(outcome)).toEqual([...Array(allowed).fill('allowed'), ...Array(n - allowed).fill('cap_exceeded')]);
    // Counted from the log: exactly the allowed ones were appended.
    expect(await ctx.db.signingLog.count()).toBe(1 + used + allowed);
    // And an hour later the window has moved: the same burst gets the room again.
    clock.t += HOUR + 1_000;
    const later = await Promise.all(Array.from({ length: n }, () => guard(ctx, req(), noop)));
    expect(later.filter((r) => r.type === 'allowed')).toHaveLength(Math.min(cap, n));
  });

  it('a group whose transaction fails answers every request in it with internal, and logs none', async () => {
    const { ctx } = await context();
    await createGrant(ctx.db, { origin: A, accountId: 1, rules: [{ method: 'sign_event', kind: 1 }] }, T0, ctx.clock().sessionId);
    expect((await guard(ctx, req(), noop)).type).toBe('allowed');
    await ctx.activity.flush();
    const before = [await ctx.db.signingLog.count(), await ctx.db.activity.count()];
    // The fourth append of the group fails (a full disk, a closed database…): the whole group with it.
    let adds = 0;
    const failing = function (this: unknown) {
      if (++adds === 4) throw new Error('QuotaExceededError');
    };
    ctx.db.signingLog.hook('creating', failing);
    const signed: string[] = [];
    const sign: Operation<string> = () => ({ eventId: 'e'.repeat(64), later: () => (signed.push('sig'), 'sig') });
    const first = guard(ctx, req(), noop); // runs alone, succeeds
    const group = Array.from({ length: 6 }, () => guard(ctx, req(), sign));
    expect((await first).type).toBe('allowed');
    const results = await Promise.allSettled(group);
    expect(results.map(outcome)).toEqual(Array(6).fill('threw internal'));
    for (const r of results) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(WardenError);
    ctx.db.signingLog.hook('creating').unsubscribe(failing);
    await ctx.activity.flush();
    // One more entry (the lone request's), whose activity row it is itself; no activity row.
    expect([await ctx.db.signingLog.count(), await ctx.db.activity.count()]).toEqual([before[0]! + 1, before[1]!]);
    // Nothing of it stays: the next request continues the sequence and the chain.
    expect((await guard(ctx, req(), noop)).type).toBe('allowed');
    const entries = await ctx.db.signingLog.orderBy('id').toArray();
    expect(entries.map((e) => e.seqKind)).toEqual(entries.map((_, i) => i + 1));
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.prevHash).toBe(entries[i - 1]!.hash);
  });

  it('a lone request (its commit asked for at once) whose entry cannot be written is answered internal, its signature dropped, nothing logged', async () => {
    const { ctx } = await context();
    await createGrant(ctx.db, { origin: A, accountId: 1, rules: [{ method: 'sign_event', kind: 1 }] }, T0, ctx.clock().sessionId);
    const failing = () => {
      throw new Error('disk full');
    };
    ctx.db.signingLog.hook('creating', failing);
    const sign: Operation<string> = () => ({ eventId: 'e'.repeat(64), later: () => 'SECRET-SIG' });
    const [r] = await Promise.allSettled([guard(ctx, req(), sign)]);
    expect(outcome(r!)).toBe('threw internal');
    ctx.db.signingLog.hook('creating').unsubscribe(failing);
    expect(await ctx.db.signingLog.count()).toBe(0);
    // The chain and the sequence go on as if it never happened.
    expect((await guard(ctx, req(), noop)).type).toBe('allowed');
    const [e] = await ctx.db.signingLog.toArray();
    expect([e!.seqKind, e!.prevHash]).toEqual([1, '0'.repeat(64)]);
  });

  it('a refusal in a group that fails is not noted either: the page was told internal', async () => {
    const { ctx } = await context();
    await createGrant(ctx.db, { origin: A, accountId: 1, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 2, windowSeconds: 3600 }] }, T0, ctx.clock().sessionId);
    const failing = () => {
      throw new Error('disk full');
    };
    ctx.db.signingLog.hook('creating', failing);
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => guard(ctx, req(), noop)));
    expect(results.map(outcome)).toEqual(Array(5).fill('threw internal'));
    ctx.db.signingLog.hook('creating').unsubscribe(failing);
    await ctx.activity.flush();
    expect(await ctx.db.activity.count()).toBe(0);
    expect(await ctx.db.signingLog.count()).toBe(0);
  });
});

describe('signing while the entry commits', () => {
  it('the signature is computed after the entry was issued, and answered only once the transaction completed', async () => {
    const { ctx } = await context();
    await createGrant(ctx.db, { origin: A, accountId: 1, rules: [{ method: 'sign_event', kind: 1 }] }, T0, ctx.clock().sessionId);
    const events: string[] = [];
    ctx.db.signingLog.hook('creating', () => void events.push('entry issued'));
    const realTransaction = ctx.db.transaction.bind(ctx.db) as (...a: unknown[]) => Promise<unknown>;
    vi.spyOn(ctx.db, 'transaction').mockImplementation(((...args: unknown[]) =>
      realTransaction(...args).then((v) => {
        if (args[0] === 'rw') events.push('committed');
        return v;
      })) as never);
    const sign: Operation<string> = () => {
      events.push('checked');
      return { eventId: 'e'.repeat(64), later: () => (events.push('signed'), 'sig') };
    };
    const r = await guard(ctx, req(), sign).then((x) => (events.push('answered'), x));
    expect(r).toEqual({ type: 'allowed', value: 'sig' });
    expect(events).toEqual(['checked', 'entry issued', 'signed', 'committed', 'answered']);
  });

  it('a signature computed for a group whose commit failed is never released', async () => {
    const { ctx } = await context();
    await createGrant(ctx.db, { origin: A, accountId: 1, rules: [{ method: 'sign_event', kind: 1 }] }, T0, ctx.clock().sessionId);
    expect((await guard(ctx, req(), noop)).type).toBe('allowed');
    // Every write succeeded, then the commit itself fails (the transaction aborts instead).
    const commit = vi.spyOn(IDBTransaction.prototype, 'commit').mockImplementation(function (this: IDBTransaction) {
      this.abort();
    });
    const made: string[] = [];
    const sign: Operation<string> = () => ({ eventId: 'e'.repeat(64), later: () => (made.push('SECRET-SIG'), 'SECRET-SIG') });
    const results = await Promise.allSettled([guard(ctx, req(), sign), guard(ctx, req(), sign), guard(ctx, req(), sign)]);
    commit.mockRestore();
    // The signatures were computed while the commit ran, and none of them left.
    expect(made.length).toBeGreaterThan(0);
    expect(results.map(outcome)).toEqual(Array(3).fill('threw internal'));
    expect(JSON.stringify(results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason))))).not.toContain('SECRET-SIG');
    expect(await ctx.db.signingLog.count()).toBe(1);
  });
});
