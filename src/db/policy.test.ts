import { describe, expect, it } from 'vitest';
import { addOverride, addRule, createGrant, deleteRule, listPolicies, loadPolicyRecords, revokeGrant, revokeOverride, updateRule } from './policy.ts';
import { setSetting } from './settings.ts';
import { WardenError } from '../shared/errors.ts';
import { A, B, freshDb, S, T } from '../test/db.ts';


async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return err instanceof WardenError ? err.code : `not a WardenError: ${String(err)}`;
  }
  return 'resolved';
}

describe('createGrant', () => {
  it('stores the grant with its rules; kind is dropped for methods other than sign_event', async () => {
    const d = freshDb();
    const id = await createGrant(
      d,
      {
        origin: A,
        accountId: 1,
        rules: [
          { method: 'sign_event', kind: 1, maxUsageCount: 20, windowSeconds: 3_600 },
          { method: 'nip44_decrypt', kind: 7 },
          { method: 'get_public_key' },
        ],
        expiresAt: T + 1_000,
        onCapReached: 'ask',
      },
      T,
      S,
    );
    const grant = await d.grants.get(id);
    expect(grant).toMatchObject({ origin: A, accountId: 1, createdAt: T, expiresAt: T + 1_000, revokedAt: null, onCapReached: 'ask' });
    const rules = await d.rules.where('grantId').equals(id).toArray();
    expect(rules.map(({ method, kind, maxUsageCount, windowSeconds, createdAt }) => ({ method, kind, maxUsageCount, windowSeconds, createdAt }))).toEqual([
      { method: 'sign_event', kind: 1, maxUsageCount: 20, windowSeconds: 3_600, createdAt: T },
      { method: 'nip44_decrypt', kind: null, maxUsageCount: null, windowSeconds: null, createdAt: T },
      { method: 'get_public_key', kind: null, maxUsageCount: null, windowSeconds: null, createdAt: T },
    ]);
  });

  it('onCapReached defaults to deny', async () => {
    const d = freshDb();
    const id = await createGrant(d, { origin: A, accountId: 1, rules: [] }, T, S);
    expect((await d.grants.get(id))?.onCapReached).toBe('deny');
  });

  it('revokes the previous live grant for the same (origin, account) but keeps it', async () => {
    const d = freshDb();
    const first = await createGrant(d, { origin: A, accountId: 1, rules: [{ method: 'sign_event' }] }, T, S);
    const otherAccount = await createGrant(d, { origin: A, accountId: 2, rules: [] }, T, S);
    const otherOrigin = await createGrant(d, { origin: B, accountId: 1, rules: [] }, T, S);
    const httpVariant = await createGrant(d, { origin: 'http://a.example', accountId: 1, rules: [] }, T, S);
    const second = await createGrant(d, { origin: A, accountId: 1, rules: [{ method: 'nip04_encrypt' }] }, T + 10, S);

    expect(second).not.toBe(first);
    expect(await d.grants.get(first)).toMatchObject({ revokedAt: T + 10 });
    expect(await d.grants.get(second)).toMatchObject({ revokedAt: null });
    for (const id of [otherAccount, otherOrigin, httpVariant]) expect((await d.grants.get(id))?.revokedAt).toBeNull();
    // The old grant's rules are kept too (its budget history is not lost).
    expect(await d.rules.where('grantId').equals(first).count()).toBe(1);
    expect(await d.grants.count()).toBe(5);
  });

  it('does not move the revocation of an already revoked grant, nor touch an expired one', async () => {
    const d = freshDb();
    const revoked = await createGrant(d, { origin: A, accountId: 1, rules: [] }, T, S);
    await revokeGrant(d, revoked, T + 1);
    const expired = await createGrant(d, { origin: A, accountId: 1, rules: [], expiresAt: T + 5 }, T + 2, S);
    await createGrant(d, { origin: A, accountId: 1, rules: [] }, T + 100, S);
    expect((await d.grants.get(revoked))?.revokedAt).toBe(T + 1);
    expect((await d.grants.get(expired))?.revokedAt).toBeNull();
  });

  it('a grant of an earlier browser session is not live, so it is not revoked', async () => {
    const d = freshDb();
    const old = await createGrant(d, { origin: A, accountId: 1, rules: [], sessionId: 'old-session' }, T, 'old-session');
    await createGrant(d, { origin: A, accountId: 1, rules: [] }, T + 1, S);
    expect((await d.grants.get(old))?.revokedAt).toBeNull();
  });
});

describe('revokeGrant', () => {
  it('keeps the first revokedAt', async () => {
    const d = freshDb();
    const id = await createGrant(d, { origin: A, accountId: 1, rules: [] }, T, S);
    await revokeGrant(d, id, T + 5);
    await revokeGrant(d, id, T + 50);
    expect((await d.grants.get(id))?.revokedAt).toBe(T + 5);
  });

  it('an unknown grant is not_found', async () => {
    expect(await code(revokeGrant(freshDb(), 404, T))).toBe('not_found');
  });
});

describe('rules', () => {
  it('addRule appends to a grant and returns the stored row', async () => {
    const d = freshDb();
    const gid = await createGrant(d, { origin: A, accountId: 1, rules: [] }, T, S);
    const rule = await addRule(d, gid, { method: 'sign_event', kind: 3, maxUsageCount: 2, windowSeconds: 60 }, T + 1, { expiresAt: T + 99, sessionId: S });
    expect(await d.rules.get(rule.id)).toEqual(rule);
    expect(rule).toMatchObject({ grantId: gid, method: 'sign_event', kind: 3, maxUsageCount: 2, windowSeconds: 60, createdAt: T + 1, expiresAt: T + 99, sessionId: S });
    expect(await code(addRule(d, 404, { method: 'sign_event' }, T))).toBe('not_found');
  });

  it.each(['get_public_key', 'get_relays'] as const)('a cap on a method that is never counted is refused (%s), and nothing is stored', async (method) => {
    const d = freshDb();
    const gid = await createGrant(d, { origin: A, accountId: 1, rules: [] }, T, S);
    const cap = { maxUsageCount: 1, windowSeconds: 3600 };
    expect(await code(createGrant(d, { origin: A, accountId: 1, rules: [{ method, ...cap }] }, T, S))).toBe('invalid_request');
    expect(await code(addRule(d, gid, { method, ...cap }, T))).toBe('invalid_request');
    const plain = await addRule(d, gid, { method }, T);
    expect(await code(updateRule(d, plain.id, { maxUsageCount: 5 }))).toBe('invalid_request');
    const signing = await addRule(d, gid, { method: 'sign_event', ...cap }, T);
    expect(await code(updateRule(d, signing.id, { method }))).toBe('invalid_request');
    // Nothing half-stored: one grant (the first, live), the two rules added without a cap.
    expect(await d.grants.count()).toBe(1);
    expect((await d.rules.toArray()).map((r) => [r.method, r.maxUsageCount])).toEqual([[method, null], ['sign_event', 1]]);
  });

  it('updateRule: absent fields stay, null clears', async () => {
    const d = freshDb();
    const gid = await createGrant(d, { origin: A, accountId: 1, rules: [] }, T, S);
    const rule = await addRule(d, gid, { method: 'sign_event', kind: 1, maxUsageCount: 5, windowSeconds: 60 }, T);

    const same = await updateRule(d, rule.id, {});
    expect(same).toEqual(rule);

    const capOnly = await updateRule(d, rule.id, { maxUsageCount: 9 });
    expect(capOnly).toMatchObject({ kind: 1, maxUsageCount: 9, windowSeconds: 60 });

    const cleared = await updateRule(d, rule.id, { maxUsageCount: null, windowSeconds: null, kind: null });
    expect(cleared).toMatchObject({ method: 'sign_event', kind: null, maxUsageCount: null, windowSeconds: null });
    expect(await d.rules.get(rule.id)).toEqual(cleared);
  });

  it('updateRule to another method drops the kind', async () => {
    const d = freshDb();
    const gid = await createGrant(d, { origin: A, accountId: 1, rules: [] }, T, S);
    const rule = await addRule(d, gid, { method: 'sign_event', kind: 1 }, T);
    expect(await updateRule(d, rule.id, { method: 'nip44_encrypt' })).toMatchObject({ method: 'nip44_encrypt', kind: null });
    expect(await updateRule(d, rule.id, { kind: 5 })).toMatchObject({ method: 'nip44_encrypt', kind: null });
  });

  it('updateRule / deleteRule of an unknown id are not_found', async () => {
    const d = freshDb();
    expect(await code(updateRule(d, 404, { maxUsageCount: 1 }))).toBe('not_found');
    expect(await code(deleteRule(d, 404))).toBe('not_found');
  });

  it('deleteRule removes only that rule', async () => {
    const d = freshDb();
    const gid = await createGrant(d, { origin: A, accountId: 1, rules: [{ method: 'sign_event' }, { method: 'get_public_key' }] }, T, S);
    const [first] = await d.rules.where('grantId').equals(gid).toArray();
    await deleteRule(d, first!.id);
    expect((await d.rules.toArray()).map((r) => r.method)).toEqual(['get_public_key']);
  });
});

describe('overrides', () => {
  it('addOverride stores the scope; revokeOverride keeps the first revokedAt', async () => {
    const d = freshDb();
    const id = await addOverride(d, { origin: A, accountId: 1, method: 'sign_event', kind: 0, effect: 'deny', expiresAt: T + 9 }, T);
    expect(await d.overrides.get(id)).toMatchObject({ origin: A, accountId: 1, method: 'sign_event', kind: 0, effect: 'deny', createdAt: T, expiresAt: T + 9, revokedAt: null });
    await revokeOverride(d, id, T + 1);
    await revokeOverride(d, id, T + 2);
    expect((await d.overrides.get(id))?.revokedAt).toBe(T + 1);
    expect(await code(revokeOverride(d, 404, T))).toBe('not_found');
  });

  it('an override of a method other than sign_event has no kind', async () => {
    const d = freshDb();
    const id = await addOverride(d, { origin: A, accountId: 1, method: 'nip04_decrypt', kind: 3, effect: 'allow' }, T);
    expect((await d.overrides.get(id))?.kind).toBeNull();
  });
});

describe('loadPolicyRecords / listPolicies', () => {
  it('reads only the (origin, account), skips the rules of revoked grants, and reads the sensitive kinds', async () => {
    const d = freshDb();
    const old = await createGrant(d, { origin: A, accountId: 1, rules: [{ method: 'sign_event' }] }, T, S);
    const cur = await createGrant(d, { origin: A, accountId: 1, rules: [{ method: 'nip44_encrypt' }] }, T + 1, S);
    await createGrant(d, { origin: B, accountId: 1, rules: [{ method: 'nip04_encrypt' }] }, T, S);
    await createGrant(d, { origin: A, accountId: 2, rules: [{ method: 'nip04_decrypt' }] }, T, S);
    await addOverride(d, { origin: A, accountId: 1, method: 'sign_event', effect: 'deny' }, T);
    await addOverride(d, { origin: B, accountId: 1, method: 'sign_event', effect: 'deny' }, T);
    await setSetting(d, 'sensitiveKinds', [0, 1]);

    const rec = await loadPolicyRecords(d, A, 1, T + 2);
    expect(rec.grants.map((g) => g.id)).toEqual([cur]);
    expect(rec.grants.map((g) => g.id)).not.toContain(old);
    expect(rec.rules.map((r) => r.method)).toEqual(['nip44_encrypt']);
    expect(rec.overrides.map((o) => o.origin)).toEqual([A]);
    expect(rec.sensitiveKinds).toEqual([0, 1]);
  });

  it('a grant revoked in the future still has its rules loaded', async () => {
    const d = freshDb();
    const gid = await createGrant(d, { origin: A, accountId: 1, rules: [{ method: 'sign_event' }] }, T, S);
    await d.grants.update(gid, { revokedAt: T + 100 });
    expect((await loadPolicyRecords(d, A, 1, T + 99)).rules).toHaveLength(1);
    expect((await loadPolicyRecords(d, A, 1, T + 100)).rules).toHaveLength(0);
  });

  it('listPolicies filters by origin and includes revoked grants', async () => {
    const d = freshDb();
    const g1 = await createGrant(d, { origin: A, accountId: 1, rules: [{ method: 'sign_event' }] }, T, S);
    await revokeGrant(d, g1, T + 1);
    await createGrant(d, { origin: B, accountId: 1, rules: [{ method: 'get_public_key' }] }, T, S);
    await addOverride(d, { origin: B, accountId: 1, method: 'sign_event', effect: 'allow' }, T);
    const onlyA = await listPolicies(d, A);
    expect(onlyA.grants.map((g) => [g.origin, g.revokedAt])).toEqual([[A, T + 1]]);
    expect(onlyA.rules.map((r) => r.grantId)).toEqual([g1]);
    expect(onlyA.overrides).toEqual([]);
    const everything = await listPolicies(d);
    expect(everything.grants).toHaveLength(2);
    expect(everything.rules).toHaveLength(2);
    expect(everything.overrides).toHaveLength(1);
  });
});
