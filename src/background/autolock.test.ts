import { describe, expect, it } from 'vitest';
import { setSetting } from '../db/settings.ts';
import { createAutoLock } from './autolock.ts';
import { createRouter } from './router.ts';
import { code, EXT_SENDER, makeContext, SITE, siteSender, withAccount } from '../test/background.ts';

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
