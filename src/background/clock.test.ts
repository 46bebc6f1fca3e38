// Monotonic time: the clock moved both ways, in the module and through the whole background.
import { describe, expect, it, vi } from 'vitest';
import { MonotonicClock } from './clock.ts';
import { ALL_METHODS_RULES, code, makeHarness, settle, SITE, T0, withAccount, type Harness } from '../test/background.ts';
import { freshDb } from '../test/db.ts';
import { waitFor } from '../test/fixtures.ts';
import { addRule } from '../db/policy.ts';

vi.setConfig({ testTimeout: 20_000 });

const H = 3_600_000;

describe('MonotonicClock', () => {
  // Each step sets the wall clock and the steady clock, then reads the time.
  it.each([
    ['forward: the wall clock as it is', [[T0, 0, T0], [T0 + 5, 5, T0 + 5], [T0 + 60_000, 60_000, T0 + 60_000]]],
    ['back, no steady clock: time stands still at the latest seen', [[T0, 0, T0], [T0 - H, 0, T0], [T0 - H + 10, 0, T0], [T0 + 1, 0, T0 + 1]]],
    ['back: time runs on at the steady pace', [[T0, 0, T0], [T0 - H, 1_000, T0 + 1_000], [T0 - H + 5_000, 6_000, T0 + 6_000]]],
    ['back, then the wall clock passes the carried time: the wall again', [[T0, 0, T0], [T0 - 10, 5, T0 + 5], [T0 + 100, 10, T0 + 100], [T0 + 200, 110, T0 + 200]]],
    ['a jump forward is kept, even when the wall clock is corrected', [[T0, 0, T0], [T0 + 24 * H, 1, T0 + 24 * H], [T0 + 2, 2, T0 + 24 * H + 1]]],
    // The steady clock a little ahead of the wall clock on every read must not add up.
    ['jitter between the two clocks does not make time run fast, and stays in whole ms', [[T0, 0, T0], [T0, 0.6, T0], [T0, 1.7, T0 + 1], [T0 + 1, 1.8, T0 + 1], [T0 + 1, 3.1, T0 + 2], [T0 + 2, 3.5, T0 + 2], [T0 + 100, 100.3, T0 + 100]]],
    ['a steady clock running 1 % fast stays within one step of the wall clock', [[T0, 0, T0], [T0 + 100_000, 101_000, T0 + 101_000], [T0 + 200_000, 202_000, T0 + 201_000], [T0 + 300_000, 303_000, T0 + 301_000]]],
    ['a step back within the slack: time stands still, then follows the wall clock', [[T0, 0, T0], [T0 - 1_500, 10, T0 + 10], [T0 - 1_000, 510, T0 + 10], [T0 + 20, 1_530, T0 + 20]]],
  ] as const)('%s', (_name, steps) => {
    let wall = 0;
    let steady = 0;
    const c = new MonotonicClock({ wall: () => wall, steady: () => steady });
    for (const [w, s, expected] of steps) {
      wall = w;
      steady = s;
      const t = c.now();
      expect(t).toBe(expected);
      expect(Number.isInteger(t)).toBe(true);
    }
  });

  it('never hands out a time before one read back with advanceTo; an earlier one changes nothing', () => {
    let wall = T0;
    const c = new MonotonicClock({ wall: () => wall, steady: () => 0 });
    c.advanceTo(T0 + H);
    expect(c.now()).toBe(T0 + H);
    c.advanceTo(T0);
    c.advanceTo(Number.NaN);
    expect(c.now()).toBe(T0 + H);
    wall = T0 + 2 * H;
    expect(c.now()).toBe(T0 + 2 * H);
  });

  it.each([
    ['the saved time', async (d: ReturnType<typeof freshDb>) => void (await d.settings.put({ collection: 'clock', key: 'latestSeen', value: { at: T0 + H } }))],
    ['the newest signing-log entry', async (d: ReturnType<typeof freshDb>) => void (await d.signingLog.add({ origin: SITE, accountId: 1, method: 'sign_event', kind: 1, createdAt: T0 + H } as never))],
    ['the newest activity row', async (d: ReturnType<typeof freshDb>) => void (await d.activity.add({ origin: SITE, method: 'sign_event', kind: 1, outcome: 'denied', reason: 'x', createdAt: T0 + H } as never))],
  ])('restore takes the latest time from %s', async (_name, put) => {
    const d = freshDb('clock');
    await put(d);
    const c = new MonotonicClock({ wall: () => T0, steady: () => 0 });
    await c.restore(d);
    expect(c.now()).toBe(T0 + H);
  });

  it.each([
    ['the system clock ran on 10 min since the save: carried on by 10 min', T0 + 600_000, T0 + H + 600_000],
    ['the system clock went back again since the save: nothing added', T0 - H, T0 + H],
    ['a row without the system clock time: taken as it is', null, T0 + H],
  ])('restore: %s', async (_name, wallNow, expected) => {
    const d = freshDb('clock');
    // Saved while the system clock was an hour behind the background's time.
    await d.settings.put({ collection: 'clock', key: 'latestSeen', value: wallNow === null ? { at: T0 + H } : { at: T0 + H, wall: T0 } });
    const c = new MonotonicClock({ wall: () => wallNow ?? T0, steady: () => 0 });
    await c.restore(d);
    expect(c.now()).toBe(expected);
  });

  it('toWall: when the system clock shows a time of the background (for an alarm)', () => {
    let wall = T0;
    const c = new MonotonicClock({ wall: () => wall, steady: () => 0 });
    expect(c.toWall(T0 + 60_000)).toBe(T0 + 60_000);
    wall = T0 - H; // set back an hour: the background's time stays at T0
    expect(c.toWall(T0 + 60_000)).toBe(T0 - H + 60_000);
  });

  it('a stored value that does not parse is ignored (the wall clock and the logs still count)', async () => {
    const d = freshDb('clock');
    for (const value of ['soon', { at: 'x' }, { at: Infinity }, null]) {
      await d.settings.put({ collection: 'clock', key: 'latestSeen', value });
      const c = new MonotonicClock({ wall: () => T0, steady: () => 0 });
      await c.restore(d);
      expect(c.now()).toBe(T0);
    }
  });

  it('save writes only when the time moved, and restore reads it back', async () => {
    const d = freshDb('clock');
    let wall = T0;
    const c = new MonotonicClock({ wall: () => wall, steady: () => 0 });
    await c.save(d);
    expect((await d.settings.get(['clock', 'latestSeen']))?.value).toEqual({ at: T0, wall: T0 });
    await d.settings.delete(['clock', 'latestSeen']);
    await c.save(d); // the time did not move: no write
    expect(await d.settings.get(['clock', 'latestSeen'])).toBeUndefined();
    wall = T0 + 5;
    await c.save(d);
    const again = new MonotonicClock({ wall: () => T0 - H, steady: () => 0 });
    await again.restore(d);
    expect(again.now()).toBe(T0 + 5);
  });
});

/** A worker start over the database and storage.session of `h`, with the system clock at `t`. */
const restart = (h: Harness, t: number): Harness => makeHarness({ dbName: h.dbName, session: h.session, clock: { t } });

describe('the background judges expiry and windows by the latest time it has seen', () => {
  it('forward: a grant allows until its expiry instant and not after', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES, expiresAt: T0 + H });
    h.clock.t = T0 + H - 1;
    expect(code(await h.sign(SITE))).toBe('ok');
    h.clock.t = T0 + H;
    expect(await settle(h, h.sign(SITE))).toBe('asked');
  });

  it.each([
    ['a grant', { expiresAt: T0 + H }, null],
    ['a rule', {}, { ruleExpiresAt: T0 + H }],
  ])('expired: %s stays expired when the clock is set back', async (_name, grantExtra, ruleExtra) => {
    const h = await withAccount();
    const { grantId } = await h.ok('grant', { origin: SITE, rules: ruleExtra ? [] : ALL_METHODS_RULES, ...grantExtra });
    if (ruleExtra) await addRule(h.ctx.db, grantId, { method: 'sign_event', kind: null, maxUsageCount: null, windowSeconds: null }, T0, { expiresAt: ruleExtra.ruleExpiresAt });
    h.clock.t = T0 + H - 1;
    expect(code(await h.sign(SITE))).toBe('ok');
    h.clock.t = T0 + H + 1; // seen once: expired
    expect((await h.ok('explain_request', { origin: SITE, method: 'sign_event', kind: 1 })).outcome).toBe('ask');
    for (const back of [T0 + H - 1, T0, T0 - 24 * H]) {
      h.clock.t = back;
      expect((await h.ok('explain_request', { origin: SITE, method: 'sign_event', kind: 1 })).outcome, `clock at ${back - T0}`).toBe('ask');
      expect(await settle(h, h.sign(SITE)), `clock at ${back - T0}`).toBe('asked');
    }
  });

  it('an expired override stays expired when the clock is set back', async () => {
    const h = await withAccount();
    await h.ok('set_override', { origin: SITE, method: 'sign_event', kind: 1, effect: 'allow', expiresAt: T0 + H });
    expect(code(await h.sign(SITE))).toBe('ok');
    h.clock.t = T0 + H;
    expect(await settle(h, h.sign(SITE))).toBe('asked');
    h.clock.t = T0;
    expect(await settle(h, h.sign(SITE))).toBe('asked');
  });

  const savedAt = async (h: Harness) => ((await h.ctx.db.settings.get(['clock', 'latestSeen']))?.value as { at: number } | undefined)?.at;

  it.each([
    ['the time it saved by itself', 'saved'],
    ['the activity rows alone', 'activity'],
  ])('across a worker restart, from %s: the expired grant stays expired', async (_name, source) => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES, expiresAt: T0 + H });
    h.clock.t = T0 + 2 * H;
    await h.ok('explain_request', { origin: SITE, method: 'sign_event', kind: 1 }); // the background reads the time
    await waitFor(async () => (await savedAt(h)) === T0 + 2 * H || null, 3_000, 'the time saved');
    if (source === 'activity') {
      expect(await settle(h, h.sign(SITE))).toBe('asked'); // its rows carry T0 + 2 h
      await h.ctx.activity.flush();
      await h.ctx.db.settings.delete(['clock', 'latestSeen']);
    }
    h.ctx.db.close();
    const r = restart(h, T0); // the system clock set back two hours while no worker ran
    await r.ctx.ready;
    expect(r.ctx.now()).toBe(T0 + 2 * H);
    expect((await r.ok('explain_request', { origin: SITE, method: 'sign_event', kind: 1 })).outcome).toBe('ask');
  });

  it('time passes across a worker stop while the clock is behind: a grant due meanwhile has expired at the restart', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES, expiresAt: T0 + 30 * 60_000 });
    h.clock.t = T0 - H; // set back an hour; the background stays at T0
    await h.ok('explain_request', { origin: SITE, method: 'sign_event', kind: 1 });
    expect(code(await h.sign(SITE))).toBe('ok');
    await waitFor(async () => ((await savedAt(h)) === T0 ? true : null), 3_000, 'the save');
    h.ctx.db.close();
    // Forty minutes later by the (still wrong) system clock, a new worker starts.
    const r = restart(h, T0 - H + 40 * 60_000);
    await r.ctx.ready;
    expect(r.ctx.now()).toBe(T0 + 40 * 60_000);
    expect((await r.ok('explain_request', { origin: SITE, method: 'sign_event', kind: 1 })).outcome).toBe('ask');
  });

  it('the latest time is saved by itself, at most once per 10 s of time seen; without it a restart has only the logs', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES, expiresAt: T0 + H });
    await waitFor(async () => (await savedAt(h)) === T0 || null, 3_000, 'the first save');
    for (const step of [1_000, 5_000, 9_999]) {
      h.clock.t = T0 + step;
      await h.ok('explain_request', { origin: SITE, method: 'sign_event', kind: 1 });
      await new Promise((r) => setTimeout(r, 20));
      expect(await savedAt(h), `${step} ms on`).toBe(T0);
    }
    h.clock.t = T0 + 2 * H;
    await h.ok('explain_request', { origin: SITE, method: 'sign_event', kind: 1 });
    await waitFor(async () => (await savedAt(h)) === T0 + 2 * H || null, 3_000, 'the next save');
    // What the save is for: with the row gone (and nothing newer in the logs), a restart with the
    // clock set back has nothing newer than the grant's own time.
    await h.ctx.db.settings.delete(['clock', 'latestSeen']);
    h.ctx.db.close();
    const r = restart(h, T0);
    await r.ctx.ready;
    expect(r.ctx.now()).toBeLessThan(T0 + H);
  });

  it('a cap window never frees early when the clock is set back, and frees at its time after that', async () => {
    let steady = 0;
    const h = await withAccount({ steady: () => steady });
    await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', maxUsageCount: 2, windowSeconds: 60 }] });
    expect(code(await h.sign(SITE))).toBe('ok');
    expect(code(await h.sign(SITE))).toBe('ok');
    expect(code(await h.sign(SITE))).toBe('cap_exceeded');
    // Set back by an hour: the window does not move back, so it holds exactly what it held.
    h.clock.t = T0 - H;
    steady = 59_999;
    expect(code(await h.sign(SITE))).toBe('cap_exceeded');
    expect((await h.ok('get_policies', { origin: SITE })).grants[0].rules[0].used).toBe(2);
    // The steady clock says a minute went by: the window frees, though the system clock is an hour behind.
    steady = 60_000;
    expect(code(await h.sign(SITE))).toBe('ok');
    const log = await h.ctx.db.signingLog.orderBy('id').toArray();
    // The new entry is dated with the background's time, never before the earlier ones.
    expect(log.map((e) => e.createdAt)).toEqual([T0, T0, T0 + 60_000]);
  });

  it('a steady clock in fractions of a ms still stores whole-ms times (the schemas want integers)', async () => {
    let steady = 0.25;
    const h = await withAccount({ steady: () => steady });
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    for (const s of [0.75, 1.5, 2.9, 3.3]) {
      steady = s;
      expect(code(await h.sign(SITE))).toBe('ok');
    }
    h.clock.t = T0 - H; // behind: the times now come from the steady clock
    steady = 7.7;
    expect(code(await h.sign(SITE))).toBe('ok');
    const times = [...(await h.ctx.db.signingLog.toArray()).map((e) => e.createdAt), ...(await h.ctx.db.grants.toArray()).map((g) => g.createdAt)];
    expect(times.every(Number.isInteger), String(times)).toBe(true);
    const backup = await h.ok('backup_export', { password: 'test password' });
    expect(backup).toBeTruthy();
  });

  it('a new grant made while the clock is behind gets its expiry from the background time', async () => {
    const h = await withAccount();
    h.clock.t = T0 + 10 * H;
    await h.ok('explain_request', { origin: SITE, method: 'sign_event', kind: 1 });
    h.clock.t = T0;
    const { grantId } = await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    const g = await h.ctx.db.grants.get(grantId);
    expect(g?.createdAt).toBe(T0 + 10 * H);
  });
});
