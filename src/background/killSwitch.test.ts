// The switch's own state: stored and read back, failures err towards stopped, writes in order; and
// what the badge shows for each state.
import { describe, expect, it, vi } from 'vitest';
import { WardenDb } from '../db/schema.ts';
import { getSetting } from '../db/settings.ts';
import { uniqueDbName } from '../test/fixtures.ts';
import { KillSwitch } from './killSwitch.ts';
import { Badge, badgeView, STOPPED_BADGE } from './badge.ts';

async function fresh() {
  const db = new WardenDb(uniqueDbName('ks'));
  await db.open();
  const ks = new KillSwitch(db);
  await ks.load();
  return { db, ks };
}

describe('KillSwitch', () => {
  it('starts off, and reads back what was stored', async () => {
    const { db, ks } = await fresh();
    expect(ks.on).toBe(false);
    await ks.set(true);
    const again = new KillSwitch(db);
    await again.load();
    expect(again.on).toBe(true);
  });

  it('on takes effect before the write finishes; off only after it', async () => {
    const { ks } = await fresh();
    const on = ks.set(true);
    expect(ks.on).toBe(true);
    await on;
    const off = ks.set(false);
    expect(ks.on).toBe(true);
    await off;
    expect(ks.on).toBe(false);
  });

  it('a failed write leaves it on, whichever way it was asked', async () => {
    const { db, ks } = await fresh();
    const put = vi.spyOn(db.settings, 'put').mockRejectedValue(new Error('disk full'));
    await expect(ks.set(true)).rejects.toThrow('disk full');
    expect(ks.on).toBe(true);
    await expect(ks.set(false)).rejects.toThrow('disk full');
    expect(ks.on).toBe(true);
    put.mockRestore();
  });

  it('an off overtaken by an on ends on, in memory and stored', async () => {
    const { db, ks } = await fresh();
    await ks.set(true);
    const off = ks.set(false);
    const on = ks.set(true);
    await Promise.all([off, on]);
    expect(ks.on).toBe(true);
    expect(await getSetting(db, 'killSwitch')).toBe(true);
  });

  it('subscribers hear the state now and each change, not repeats', async () => {
    const { ks } = await fresh();
    const heard: boolean[] = [];
    ks.subscribe((on) => heard.push(on));
    await ks.set(true);
    await ks.set(true);
    await ks.set(false);
    expect(heard).toEqual([false, true, false]);
  });

  it('a stored value that does not parse reads as off, like a fresh profile', async () => {
    const { db } = await fresh();
    await db.settings.put({ collection: 'guard', key: 'killSwitch', value: 'yes' });
    const ks = new KillSwitch(db);
    await ks.load();
    expect(ks.on).toBe(false);
  });
});

describe('badge', () => {
  const table: [boolean, number, string, string][] = [
    [false, 0, '', 'Warden'],
    [false, 3, '3', 'Warden: 3 waiting'],
    [true, 0, STOPPED_BADGE.text, STOPPED_BADGE.title],
    // The switch shows above any count.
    [true, 5, STOPPED_BADGE.text, STOPPED_BADGE.title],
  ];
  it.each(table)('stopped %s, %i waiting → %j', (stopped, pending, text, title) => {
    const view = badgeView(stopped, pending);
    expect(view.text).toBe(text);
    expect(view.title).toBe(title);
    if (stopped) expect(view.color).toBe(STOPPED_BADGE.color);
  });
});

describe('Badge', () => {
  it('paints only what changed, and the switch above the count', () => {
    const painted: string[] = [];
    const badge = new Badge((v) => painted.push(v.text));
    badge.setPending(2);
    badge.setPending(2);
    badge.setStopped(true);
    badge.setPending(4);
    badge.setStopped(false);
    expect(painted).toEqual(['2', 'STOP', '4']);
  });
});
