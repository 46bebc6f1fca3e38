import { describe, expect, it } from 'vitest';
import { getSetting, setSetting, SETTINGS, type SettingKey } from './settings.ts';
import { DEFAULT_SENSITIVE_KINDS } from '../shared/methods.ts';
import { freshDb } from '../test/db.ts';

describe('settings', () => {
  it('missing rows give the defaults', async () => {
    const d = freshDb();
    expect(await getSetting(d, 'autoLockMinutes')).toBe(30);
    expect(await getSetting(d, 'sensitiveKinds')).toEqual([...DEFAULT_SENSITIVE_KINDS]);
    expect(await getSetting(d, 'relays')).toEqual({});
    expect(await getSetting(d, 'activeAccountId')).toBeNull();
  });

  it.each<[SettingKey, unknown]>([
    ['autoLockMinutes', 'thirty'],
    ['autoLockMinutes', -1],
    ['autoLockMinutes', 1.5],
    ['autoLockMinutes', null],
    ['autoLockMinutes', { valueOf: 5 }],
    ['sensitiveKinds', 'all'],
    ['sensitiveKinds', [1, 'x']],
    ['sensitiveKinds', [-1]],
    ['sensitiveKinds', [70_000]],
    ['sensitiveKinds', null],
    ['relays', ['wss://r']],
    ['relays', { 'wss://r': { read: 'yes', write: true } }],
    ['relays', 42],
    ['activeAccountId', 0],
    ['activeAccountId', 'one'],
    ['activeAccountId', -3],
  ])('garbage in %s (%j) falls back to the default', async (key, garbage) => {
    const d = freshDb();
    await d.settings.put({ collection: SETTINGS[key].collection, key, value: garbage });
    expect(await getSetting(d, key)).toEqual(SETTINGS[key].fallback);
  });

  it('garbage in one key does not affect another', async () => {
    const d = freshDb();
    await d.settings.put({ collection: 'prefs', key: 'autoLockMinutes', value: 'x' });
    await setSetting(d, 'sensitiveKinds', [1, 2]);
    expect(await getSetting(d, 'autoLockMinutes')).toBe(30);
    expect(await getSetting(d, 'sensitiveKinds')).toEqual([1, 2]);
  });

  it('round-trips valid values, including an empty sensitive list', async () => {
    const d = freshDb();
    await setSetting(d, 'autoLockMinutes', 0);
    await setSetting(d, 'sensitiveKinds', []);
    await setSetting(d, 'relays', { 'wss://relay.example': { read: true, write: false } });
    await setSetting(d, 'activeAccountId', 7);
    expect(await getSetting(d, 'autoLockMinutes')).toBe(0);
    expect(await getSetting(d, 'sensitiveKinds')).toEqual([]);
    expect(await getSetting(d, 'relays')).toEqual({ 'wss://relay.example': { read: true, write: false } });
    expect(await getSetting(d, 'activeAccountId')).toBe(7);
  });

  it('setSetting refuses an invalid value and keeps the old one', async () => {
    const d = freshDb();
    await setSetting(d, 'autoLockMinutes', 10);
    await expect(setSetting(d, 'autoLockMinutes', -5 as number)).rejects.toThrow();
    expect(await getSetting(d, 'autoLockMinutes')).toBe(10);
  });
});
