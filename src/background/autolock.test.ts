import { describe, expect, it } from 'vitest';
import { setSetting } from '../db/settings.ts';
import { createAutoLock } from './autolock.ts';
import { createRouter } from './router.ts';
import { code, EXT_SENDER, makeContext, SITE, siteSender, withAccount } from '../test/background.ts';

/** Lets the auto-lock's un-awaited work (a setting read) finish. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

async function setup(minutes: number) {
  const { ctx, clock, session } = makeContext();
  await ctx.ready;
  await ctx.vault.create('pw');
  await setSetting(ctx.db, 'autoLockMinutes', minutes);
  const lock = createAutoLock(ctx);
  return { ctx, lock, session, advance: (ms: number) => (clock.t += ms) };
}

describe('auto-lock', () => {
  it.each([
    { minutes: 5, idleMs: 5 * 60_000 - 1, locked: false },
    { minutes: 5, idleMs: 5 * 60_000, locked: true },
    { minutes: 0, idleMs: 365 * 24 * 3600_000, locked: false },
  ])('after $idleMs ms idle with $minutes min configured → locked: $locked', async ({ minutes, idleMs, locked }) => {
    const { ctx, lock, advance } = await setup(minutes);
    lock.touch();
    advance(idleMs);
    expect(await lock.check()).toBe(locked);
    expect(ctx.vault.locked).toBe(locked);
  });

  it('use keeps it unlocked, and the lock clears the session copy of the keys', async () => {
    const { lock, advance, session } = await setup(1);
    lock.touch();
    advance(50_000);
    lock.touch();
    advance(50_000);
    expect(await lock.check()).toBe(false);
    advance(60_000);
    expect(await lock.check()).toBe(true);
    expect([...session.data.keys()].filter((k) => k.startsWith('vault'))).toEqual([]);
  });

  it('a restarted worker remembers the last use from storage.session', async () => {
    const { ctx, lock, advance, session } = await setup(1);
    advance(20_000);
    lock.touch(); // persisted (first touch after start)
    advance(50_000);
    // A new worker: same db and session, fresh auto-lock.
    const again = createAutoLock({ ...ctx, ready: Promise.resolve() });
    expect(await again.check()).toBe(false);
    advance(20_000);
    expect(await again.check()).toBe(true);
    expect(session.data.has('vault.unlocked')).toBe(false);
  });
});

describe('the wake-up is one alarm at the deadline, not a periodic tick', () => {
  async function scheduled(minutes: number) {
    const { ctx, clock } = makeContext();
    await ctx.ready;
    await ctx.vault.create('pw pw pw');
    await setSetting(ctx.db, 'autoLockMinutes', minutes);
    const calls: (number | null)[] = [];
    const lock = createAutoLock(ctx, (when) => calls.push(when === null ? null : when - clock.t));
    return { ctx, lock, calls, advance: (ms: number) => (clock.t += ms) };
  }

  it('set once for the deadline, not again on every use; moved when it fires early; cleared once locked', async () => {
    const { ctx, lock, calls, advance } = await scheduled(5);
    await lock.arm();
    expect(calls).toEqual([5 * 60_000]);
    for (let i = 0; i < 10; i++) {
      advance(10_000);
      lock.touch();
    }
    await settle();
    // Used ten times: the alarm stays as it was (it fires, finds the use, and moves itself).
    expect(calls).toEqual([5 * 60_000]);
    advance(200_000); // the first deadline: last used 200 s ago, not idle yet
    expect(await lock.check()).toBe(false);
    // The next wake-up: 5 min after the last use, 100 s from now.
    expect(calls).toEqual([5 * 60_000, 100_000]);
    advance(100_000);
    expect(await lock.check()).toBe(true);
    expect(ctx.vault.locked).toBe(true);
    expect(calls.at(-1)).toBeNull();
    // Locked: use sets nothing.
    lock.touch();
    await settle();
    expect(calls.at(-1)).toBeNull();
    expect(calls).toHaveLength(3);
  });

  it('no auto-lock configured: no wake-up at all', async () => {
    const { lock, calls } = await scheduled(0);
    await lock.arm();
    lock.touch();
    await settle();
    expect(calls).toEqual([null]);
  });

  it('a shorter setting brings the wake-up forward at the next use', async () => {
    const { ctx, lock, calls } = await scheduled(30);
    await lock.arm();
    await setSetting(ctx.db, 'autoLockMinutes', 1);
    lock.touch();
    await settle();
    expect(calls).toEqual([30 * 60_000, 60_000]);
  });
});

describe('auto-lock counts a person\'s actions only', () => {
  it('a site polling getPublicKey never extends the unlock; an extension page does', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'get_public_key' }] });
    const uses: string[] = [];
    const route = createRouter(h.ctx, () => uses.push('use'));
    for (let i = 0; i < 5; i++) expect(code(await route({ type: 'nip07', id: crypto.randomUUID(), method: 'get_public_key', params: {} }, siteSender(SITE)))).toBe('ok');
    await route({ type: 'junk' }, siteSender(SITE));
    expect(uses).toEqual([]);
    await route({ type: 'admin', method: 'get_status', params: {} }, EXT_SENDER);
    expect(uses).toEqual(['use']);
  });
});
