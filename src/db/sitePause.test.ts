import { describe, expect, it } from 'vitest';
import { loadPolicyRecords } from './policy.ts';
import { PAUSE_METHODS, pauseSite, resumeSite } from './sitePause.ts';
import { importPerms } from './permsImport.ts';
import { pageActivity as queryActivity } from './activity.ts';
import { addOverride } from './policy.ts';
import { decide } from '../policy/decide.ts';
import { METHODS, type Method } from '../shared/methods.ts';
import type { ActivityEntry, Outcome } from '../policy/records.ts';
import { A, clockAt, freshDb, grant, T } from '../test/db.ts';

const clock = clockAt(T);
describe('pauseSite / resumeSite', () => {
  it('pause denies every method even with an allow-all grant; resume lifts only method-wide denies', async () => {
    const d = freshDb();
    await grant(d, A, METHODS.map((method) => ({ method })));
    const kindDeny = await addOverride(d, { origin: A, accountId: 1, method: 'sign_event', kind: 0, effect: 'deny' }, T);
    const ids = await pauseSite(d, A, 1, clock);
    expect(ids).toHaveLength(PAUSE_METHODS.length);
    expect(await pauseSite(d, A, 1, clock)).toEqual([]); // already paused: nothing doubled
    const records = await loadPolicyRecords(d, A, 1, T);
    for (const method of METHODS) {
      expect(decide({ method, kind: method === 'sign_event' ? 1 : null }, records, new Map(), clock).outcome).toBe('deny');
    }
    expect(await resumeSite(d, A, 1, { ...clock, now: T + 1 })).toBe(PAUSE_METHODS.length);
    const after = await loadPolicyRecords(d, A, 1, T + 1);
    expect(decide({ method: 'sign_event', kind: 1 }, after, new Map(), { ...clock, now: T + 1 }).outcome).toBe('allow');
    expect((await d.overrides.get(kindDeny))?.revokedAt).toBeNull();
  });
});

describe('importPerms', () => {
  it('adds uncapped rules to the live grant, skipping what it already has; makes a grant when there is none', async () => {
    const d = freshDb();
    const first = await importPerms(d, A, 1, [{ method: 'sign_event', kind: 1 }, { method: 'nip44_encrypt', kind: null }], clock);
    expect(first.added.map((r) => [r.method, r.kind, r.maxUsageCount])).toEqual([['sign_event', 1, null], ['nip44_encrypt', null, null]]);
    const second = await importPerms(d, A, 1, [{ method: 'sign_event', kind: 1 }, { method: 'get_public_key', kind: null }], clock);
    expect(second.grantId).toBe(first.grantId);
    expect(second.present).toEqual([{ method: 'sign_event', kind: 1 }]);
    expect(second.added.map((r) => r.method)).toEqual(['get_public_key']);
    expect(await d.grants.count()).toBe(1);
  });
});

describe('queryActivity', () => {
  it('filters by site, method and outcome; keyset pages have no gaps or duplicates', async () => {
    const d = freshDb();
    const outcomes: Outcome[] = ['allowed', 'denied', 'cap_exceeded', 'asked'];
    const methods: Method[] = ['sign_event', 'nip44_decrypt', 'get_public_key'];
    const rows = Array.from({ length: 50 }, (_, i) => ({
      origin: i % 2 ? A : 'https://b.example',
      method: methods[i % 3]!,
      kind: null,
      outcome: outcomes[i % 4]!,
      reason: `r${i}`,
      createdAt: T + i,
    }));
    await d.activity.bulkAdd(rows as ActivityEntry[]);
    const all = await d.activity.toArray();
    for (const q of [{}, { origin: A }, { method: 'sign_event' as Method }, { origin: A, outcome: 'denied' as Outcome }, { method: 'nip44_decrypt' as Method, outcome: 'allowed' as Outcome }]) {
      const expected = all
        .filter((e) => (!('origin' in q) || e.origin === q.origin) && (!('method' in q) || e.method === q.method) && (!('outcome' in q) || e.outcome === q.outcome))
        .sort((x, y) => y.id - x.id);
      const got: ActivityEntry[] = [];
      let before: number | undefined;
      for (let i = 0; i < 100; i++) {
        const page = await queryActivity(d, { ...q, before, limit: 3 });
        got.push(...page.entries);
        if (page.next === undefined) break;
        before = page.next;
      }
      expect(got).toEqual(expected);
    }
  });
});
