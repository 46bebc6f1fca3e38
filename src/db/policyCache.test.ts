import { describe, expect, it } from 'vitest';
import { PolicyCache } from './policyCache.ts';
import { addOverride, addRule, createGrant, deleteRule, revokeGrant, revokeOverride, updateRule } from './policy.ts';
import { setSetting } from './settings.ts';
import { A, freshDb, grant, S, T } from '../test/db.ts';

describe('PolicyCache', () => {
  it('serves repeated reads from memory and reads every kind of policy write on the next load', async () => {
    const d = freshDb();
    const cache = new PolicyCache(d);
    const gid = await grant(d, A, [{ method: 'sign_event', maxUsageCount: 5 }]);
    const first = await cache.load(A, 1, T);
    expect(await cache.load(A, 1, T)).toBe(first);
    expect(first.rules).toHaveLength(1);

    const steps: [string, () => Promise<unknown>, (r: Awaited<ReturnType<PolicyCache['load']>>) => void][] = [
      ['addRule', () => addRule(d, gid, { method: 'nip44_encrypt' }, T), (r) => expect(r.rules).toHaveLength(2)],
      ['updateRule', () => updateRule(d, first.rules[0]!.id, { maxUsageCount: 1 }), (r) => expect(r.rules.find((x) => x.method === 'sign_event')?.maxUsageCount).toBe(1)],
      ['deleteRule', () => deleteRule(d, first.rules[0]!.id), (r) => expect(r.rules.map((x) => x.method)).toEqual(['nip44_encrypt'])],
      ['addOverride', () => addOverride(d, { origin: A, accountId: 1, method: 'sign_event', effect: 'deny' }, T), (r) => expect(r.overrides).toHaveLength(1)],
      ['revokeOverride', async () => revokeOverride(d, (await d.overrides.toArray())[0]!.id, T), (r) => expect(r.overrides[0]?.revokedAt).toBe(T)],
      ['setSetting', () => setSetting(d, 'sensitiveKinds', [42]), (r) => expect(r.sensitiveKinds).toEqual([42])],
      ['revokeGrant', () => revokeGrant(d, gid, T), (r) => expect(r.grants).toEqual([])],
      ['createGrant', () => createGrant(d, { origin: A, accountId: 1, rules: [{ method: 'get_public_key' }] }, T + 1, S), (r) => expect(r.rules.map((x) => x.method)).toEqual(['get_public_key'])],
    ];
    for (const [name, write, check] of steps) {
      await write();
      const next = await cache.load(A, 1, T);
      try {
        check(next);
      } catch (err) {
        throw new Error(`after ${name}: ${(err as Error).message}`);
      }
    }
  });

  it('keeps (origin, account) apart', async () => {
    const d = freshDb();
    const cache = new PolicyCache(d);
    await grant(d, A, [{ method: 'sign_event' }]);
    await grant(d, A, [{ method: 'nip04_encrypt' }], T, { accountId: 2 });
    expect((await cache.load(A, 1, T)).rules.map((r) => r.method)).toEqual(['sign_event']);
    expect((await cache.load(A, 2, T)).rules.map((r) => r.method)).toEqual(['nip04_encrypt']);
    expect((await cache.load('https://b.example', 1, T)).rules).toEqual([]);
  });

  it('a write inside the same transaction as the load is seen by the next load', async () => {
    const d = freshDb();
    const cache = new PolicyCache(d);
    await d.transaction('rw', d.grants, d.rules, d.overrides, d.settings, async () => {
      expect((await cache.load(A, 1, T)).grants).toEqual([]);
      await grant(d, A, [{ method: 'sign_event' }]);
      expect((await cache.load(A, 1, T)).grants).toHaveLength(1);
    });
  });
});
