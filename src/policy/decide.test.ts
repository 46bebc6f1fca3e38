import { describe, expect, it } from 'vitest';
import { capsToCount, decide, describeDecision, windowStart, type Decision, type PolicyRecords, type PolicyRequest } from './decide.ts';
import { isLive } from './live.ts';
import type { Lifecycle } from './records.ts';
import { DEFAULT_SENSITIVE_KINDS, METHODS, type Method } from '../shared/methods.ts';
import { grantRec as g, overrideRec as o, ruleRec as r } from '../test/fixtures.ts';

// An injected clock: plain numbers, never a sleep.
const NOW = 1_700_000_000_000;
const SESSION = 'session-a';
const clock = { now: NOW, sessionId: SESSION };
const SENSITIVE = [...DEFAULT_SENSITIVE_KINDS];

const sign = (kind: number): PolicyRequest => ({ method: 'sign_event', kind });
const call = (method: Method): PolicyRequest => ({ method, kind: null });

function records(p: Partial<PolicyRecords>): PolicyRecords {
  return { grants: [], rules: [], overrides: [], sensitiveKinds: SENSITIVE, ...p };
}

/** The decision without the rule object, for compact table rows. */
function summary(d: Decision): string {
  switch (d.outcome) {
    case 'allow':
      return `allow:${d.by.type}#${d.by.id}`;
    case 'deny':
      return `deny:override#${d.by.id}`;
    case 'cap_exceeded':
      return `cap_exceeded:rule#${d.rule.id}:${d.used}`;
    case 'ask':
      return d.reason === 'no_rule' ? 'ask:no_rule' : `ask:cap_reached:rule#${d.rule.id}:${d.used}`;
  }
}

describe('isLive', () => {
  const base: Lifecycle = { createdAt: 0 };
  it.each<[string, Lifecycle, boolean]>([
    ['no expiry, no revocation', base, true],
    ['expiresAt / revokedAt null', { ...base, expiresAt: null, revokedAt: null, sessionId: null }, true],
    ['expires exactly at now', { ...base, expiresAt: NOW }, false],
    ['expired 1 ms ago', { ...base, expiresAt: NOW - 1 }, false],
    ['expires 1 ms in the future', { ...base, expiresAt: NOW + 1 }, true],
    ['revoked exactly at now', { ...base, revokedAt: NOW }, false],
    ['revoked 1 ms ago', { ...base, revokedAt: NOW - 1 }, false],
    // Revocation is absolute: a revokedAt "in the future" means the clock was set back after it.
    ['revoked, the clock since set back 1 ms', { ...base, revokedAt: NOW + 1 }, false],
    ['revoked, the clock since set back a year', { ...base, revokedAt: NOW + 365 * 86_400_000 }, false],
    ['revoked long ago', { ...base, revokedAt: 1 }, false],
    ['revokedAt 0 (epoch) is a revocation, not "unset"', { ...base, revokedAt: 0 }, false],
    ['expiresAt 0 (epoch) is an expiry, not "unset"', { ...base, expiresAt: 0 }, false],
    ['same browser session', { ...base, sessionId: SESSION }, true],
    ['another browser session', { ...base, sessionId: 'session-b' }, false],
    ['empty session id does not match', { ...base, sessionId: '' }, false],
    ['live session but expired', { ...base, sessionId: SESSION, expiresAt: NOW }, false],
  ])('%s → %s', (_name, record, live) => {
    expect(isLive(record, NOW, SESSION)).toBe(live);
  });
});

describe('windowStart', () => {
  it.each<[number | null, number]>([
    [1, NOW - 1_000],
    [60, NOW - 60_000],
    [3_600, NOW - 3_600_000],
    [86_400, NOW - 86_400_000],
    [null, -Infinity],
  ])('windowSeconds %s → %s', (windowSeconds, start) => {
    expect(windowStart({ windowSeconds }, NOW)).toBe(start);
  });

  // The window is (now - window, now]: the caller counts entries strictly after windowStart.
  it.each<[string, number, boolean]>([
    ['exactly at now - window', NOW - 3_600_000, false],
    ['1 ms after now - window', NOW - 3_600_000 + 1, true],
    ['1 ms before now - window', NOW - 3_600_000 - 1, false],
    ['at now', NOW, true],
  ])('an entry %s is counted: %s', (_name, createdAt, counted) => {
    const start = windowStart({ windowSeconds: 3_600 }, NOW);
    expect(createdAt > start).toBe(counted);
  });

  it('a lifetime window counts an entry at time 0', () => {
    expect(0 > windowStart({ windowSeconds: null }, NOW)).toBe(true);
  });
});

describe('decide', () => {
  interface Row {
    name: string;
    req: PolicyRequest;
    rec: Partial<PolicyRecords>;
    usage?: Record<number, number>;
    expected: string;
  }

  const G = g(1);
  const rows: Row[] = [
    // --- no policy ---
    { name: 'nothing stored → ask', req: sign(1), rec: {}, expected: 'ask:no_rule' },
    { name: 'rule of another method → ask', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'nip44_encrypt')] }, expected: 'ask:no_rule' },
    { name: 'nip04 rule does not cover nip44', req: call('nip44_decrypt'), rec: { grants: [G], rules: [r(10, 1, 'nip04_decrypt')] }, expected: 'ask:no_rule' },
    { name: 'encrypt rule does not cover decrypt', req: call('nip44_decrypt'), rec: { grants: [G], rules: [r(10, 1, 'nip44_encrypt')] }, expected: 'ask:no_rule' },
    { name: 'rule without its grant in the records → ask', req: sign(1), rec: { grants: [], rules: [r(10, 1, 'sign_event')] }, expected: 'ask:no_rule' },
    { name: 'rule of another (unloaded) grant → ask', req: sign(1), rec: { grants: [G], rules: [r(10, 2, 'sign_event')] }, expected: 'ask:no_rule' },

    // --- rules and kinds ---
    { name: 'kind-null rule covers kind 1', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event')] }, expected: 'allow:rule#10' },
    { name: 'kind-specific rule covers its kind', req: sign(7), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { kind: 7 })] }, expected: 'allow:rule#10' },
    { name: 'kind-specific rule does not cover another kind', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { kind: 7 })] }, expected: 'ask:no_rule' },
    ...SENSITIVE.flatMap((k): Row[] => [
      { name: `kind-null rule does NOT cover sensitive kind ${k}`, req: sign(k), rec: { grants: [G], rules: [r(10, 1, 'sign_event')] }, expected: 'ask:no_rule' },
      { name: `kind-null allow override does NOT cover sensitive kind ${k}`, req: sign(k), rec: { overrides: [o(20, 'sign_event', 'allow')] }, expected: 'ask:no_rule' },
      { name: `rule naming sensitive kind ${k} covers it`, req: sign(k), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { kind: k })] }, expected: 'allow:rule#10' },
      { name: `allow override naming sensitive kind ${k} covers it`, req: sign(k), rec: { overrides: [o(20, 'sign_event', 'allow', { kind: k })] }, expected: 'allow:override#20' },
      { name: `deny override with kind null denies sensitive kind ${k}`, req: sign(k), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { kind: k })], overrides: [o(20, 'sign_event', 'deny')] }, expected: 'deny:override#20' },
    ]),
    { name: 'sensitive list comes from the records (custom list)', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event')], sensitiveKinds: [1] }, expected: 'ask:no_rule' },
    { name: 'kind 0 is not sensitive with an empty list', req: sign(0), rec: { grants: [G], rules: [r(10, 1, 'sign_event')], sensitiveKinds: [] }, expected: 'allow:rule#10' },

    // --- grant and rule lifecycle ---
    { name: 'grant expiring exactly at now is dead', req: sign(1), rec: { grants: [g(1, { expiresAt: NOW })], rules: [r(10, 1, 'sign_event')] }, expected: 'ask:no_rule' },
    { name: 'grant expiring 1 ms later is live', req: sign(1), rec: { grants: [g(1, { expiresAt: NOW + 1 })], rules: [r(10, 1, 'sign_event')] }, expected: 'allow:rule#10' },
    { name: 'grant revoked 1 ms ago is dead', req: sign(1), rec: { grants: [g(1, { revokedAt: NOW - 1 })], rules: [r(10, 1, 'sign_event')] }, expected: 'ask:no_rule' },
    { name: 'grant revoked, clock set back: stays revoked', req: sign(1), rec: { grants: [g(1, { revokedAt: NOW + 1 })], rules: [r(10, 1, 'sign_event')] }, expected: 'ask:no_rule' },
    { name: 'grant of another browser session is dead', req: sign(1), rec: { grants: [g(1, { sessionId: 'old' })], rules: [r(10, 1, 'sign_event')] }, expected: 'ask:no_rule' },
    { name: 'grant of this browser session is live', req: sign(1), rec: { grants: [g(1, { sessionId: SESSION })], rules: [r(10, 1, 'sign_event')] }, expected: 'allow:rule#10' },
    { name: 'rule expiring at now is dead (grant live)', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { expiresAt: NOW })] }, expected: 'ask:no_rule' },
    { name: 'rule of another session is dead', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { sessionId: 'old' })] }, expected: 'ask:no_rule' },
    { name: 'dead rule skipped, live rule of same grant allows', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { expiresAt: NOW - 1 }), r(11, 1, 'sign_event')] }, expected: 'allow:rule#11' },
    { name: 'revoked grant + live grant: live one allows', req: sign(1), rec: { grants: [g(1, { revokedAt: NOW - 5 }), g(2)], rules: [r(10, 1, 'sign_event'), r(11, 2, 'sign_event', { kind: 1 })] }, expected: 'allow:rule#11' },

    // --- overrides ---
    { name: 'allow override alone allows', req: sign(1), rec: { overrides: [o(20, 'sign_event', 'allow')] }, expected: 'allow:override#20' },
    { name: 'deny override beats an allow rule', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event')], overrides: [o(20, 'sign_event', 'deny')] }, expected: 'deny:override#20' },
    { name: 'deny override beats an allow override (deny listed last)', req: sign(1), rec: { overrides: [o(21, 'sign_event', 'allow'), o(20, 'sign_event', 'deny')] }, expected: 'deny:override#20' },
    { name: 'kind deny beats method-wide allow override', req: sign(1), rec: { overrides: [o(21, 'sign_event', 'allow'), o(20, 'sign_event', 'deny', { kind: 1 })] }, expected: 'deny:override#20' },
    { name: 'deny of kind 1 does not touch kind 7', req: sign(7), rec: { grants: [G], rules: [r(10, 1, 'sign_event')], overrides: [o(20, 'sign_event', 'deny', { kind: 1 })] }, expected: 'allow:rule#10' },
    { name: 'deny of another method does not apply', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event')], overrides: [o(20, 'nip44_decrypt', 'deny')] }, expected: 'allow:rule#10' },
    { name: 'deny override expired exactly at now is dead', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event')], overrides: [o(20, 'sign_event', 'deny', { expiresAt: NOW })] }, expected: 'allow:rule#10' },
    { name: 'deny override revoked 1 ms ago is dead', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event')], overrides: [o(20, 'sign_event', 'deny', { revokedAt: NOW - 1 })] }, expected: 'allow:rule#10' },
    { name: 'deny override revoked, clock set back: stays lifted', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event')], overrides: [o(20, 'sign_event', 'deny', { revokedAt: NOW + 1 })] }, expected: 'allow:rule#10' },
    { name: 'deny override of another session is dead', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event')], overrides: [o(20, 'sign_event', 'deny', { sessionId: 'old' })] }, expected: 'allow:rule#10' },
    { name: 'allow override revoked 1 ms ago is dead', req: sign(1), rec: { overrides: [o(20, 'sign_event', 'allow', { revokedAt: NOW - 1 })] }, expected: 'ask:no_rule' },
    { name: 'allow override of another session is dead', req: sign(1), rec: { overrides: [o(20, 'sign_event', 'allow', { sessionId: 'old' })] }, expected: 'ask:no_rule' },

    // --- get_relays follows get_public_key ---
    { name: 'get_relays allowed by a get_public_key rule', req: call('get_relays'), rec: { grants: [G], rules: [r(10, 1, 'get_public_key')] }, expected: 'allow:rule#10' },
    { name: 'get_relays allowed by a get_public_key allow override', req: call('get_relays'), rec: { overrides: [o(20, 'get_public_key', 'allow')] }, expected: 'allow:override#20' },
    { name: 'get_relays denied by a get_public_key deny override', req: call('get_relays'), rec: { grants: [G], rules: [r(10, 1, 'get_public_key')], overrides: [o(20, 'get_public_key', 'deny')] }, expected: 'deny:override#20' },
    { name: 'get_relays asks without a get_public_key rule', req: call('get_relays'), rec: { grants: [G], rules: [r(10, 1, 'sign_event')] }, expected: 'ask:no_rule' },
    { name: 'get_relays asks when the get_public_key grant is revoked', req: call('get_relays'), rec: { grants: [g(1, { revokedAt: NOW - 1 })], rules: [r(10, 1, 'get_public_key')] }, expected: 'ask:no_rule' },
    { name: 'a get_relays rule does not allow get_public_key', req: call('get_public_key'), rec: { grants: [G], rules: [r(10, 1, 'get_relays')] }, expected: 'ask:no_rule' },

    // --- caps ---
    { name: 'cap with budget left allows', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { maxUsageCount: 3, windowSeconds: 60 })] }, usage: { 10: 2 }, expected: 'allow:rule#10' },
    { name: 'cap exactly spent → cap_exceeded', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { maxUsageCount: 3, windowSeconds: 60 })] }, usage: { 10: 3 }, expected: 'cap_exceeded:rule#10:3' },
    { name: 'cap overshot (stale) → cap_exceeded', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { maxUsageCount: 3, windowSeconds: 60 })] }, usage: { 10: 9 }, expected: 'cap_exceeded:rule#10:9' },
    { name: 'lifetime cap spent', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { maxUsageCount: 1 })] }, usage: { 10: 1 }, expected: 'cap_exceeded:rule#10:1' },
    { name: 'stacked caps: both have budget', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { maxUsageCount: 20, windowSeconds: 3_600 }), r(11, 1, 'sign_event', { maxUsageCount: 200, windowSeconds: 86_400 })] }, usage: { 10: 19, 11: 199 }, expected: 'allow:rule#10' },
    { name: 'stacked caps: the hourly one binds', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { maxUsageCount: 20, windowSeconds: 3_600 }), r(11, 1, 'sign_event', { maxUsageCount: 200, windowSeconds: 86_400 })] }, usage: { 10: 20, 11: 150 }, expected: 'cap_exceeded:rule#10:20' },
    { name: 'stacked caps: the daily one binds', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { maxUsageCount: 20, windowSeconds: 3_600 }), r(11, 1, 'sign_event', { maxUsageCount: 200, windowSeconds: 86_400 })] }, usage: { 10: 5, 11: 200 }, expected: 'cap_exceeded:rule#11:200' },
    { name: 'cap of a kind-null rule binds on a kind-specific request', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { maxUsageCount: 5, windowSeconds: 3_600 }), r(11, 1, 'sign_event', { kind: 1 })] }, usage: { 10: 5 }, expected: 'cap_exceeded:rule#10:5' },
    { name: 'cap of a kind-null rule binds on a sensitive kind allowed by a named rule', req: sign(3), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { maxUsageCount: 5, windowSeconds: 3_600 }), r(11, 1, 'sign_event', { kind: 3 })] }, usage: { 10: 5 }, expected: 'cap_exceeded:rule#10:5' },
    { name: 'cap of a kind-1 rule does not bind on kind 7', req: sign(7), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { kind: 1, maxUsageCount: 1 }), r(11, 1, 'sign_event')] }, usage: {}, expected: 'allow:rule#11' },
    { name: 'cap of another method does not bind', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'nip44_decrypt', { maxUsageCount: 1 }), r(11, 1, 'sign_event')] }, usage: {}, expected: 'allow:rule#11' },
    { name: 'allow override with a capped grant rule is still capped', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { maxUsageCount: 3, windowSeconds: 3_600 })], overrides: [o(20, 'sign_event', 'allow')] }, usage: { 10: 3 }, expected: 'cap_exceeded:rule#10:3' },
    { name: 'allow override with capped grant rule within budget → by override', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { maxUsageCount: 3, windowSeconds: 3_600 })], overrides: [o(20, 'sign_event', 'allow')] }, usage: { 10: 2 }, expected: 'allow:override#20' },
    { name: 'caps of a revoked grant do not bind', req: sign(1), rec: { grants: [g(1, { revokedAt: NOW - 1 })], rules: [r(10, 1, 'sign_event', { maxUsageCount: 1 })], overrides: [o(20, 'sign_event', 'allow')] }, usage: {}, expected: 'allow:override#20' },
    { name: 'caps of an expired rule do not bind', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { maxUsageCount: 1, expiresAt: NOW }), r(11, 1, 'sign_event')] }, usage: {}, expected: 'allow:rule#11' },
    { name: 'deny beats a spent cap (deny checked first)', req: sign(1), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { maxUsageCount: 1 })], overrides: [o(20, 'sign_event', 'deny')] }, usage: {}, expected: 'deny:override#20' },
    { name: 'onCapReached ask → ask/cap_reached', req: sign(1), rec: { grants: [g(1, { onCapReached: 'ask' })], rules: [r(10, 1, 'sign_event', { maxUsageCount: 2, windowSeconds: 60 })] }, usage: { 10: 2 }, expected: 'ask:cap_reached:rule#10:2' },
    { name: 'onCapReached deny → cap_exceeded', req: sign(1), rec: { grants: [g(1, { onCapReached: 'deny' })], rules: [r(10, 1, 'sign_event', { maxUsageCount: 2, windowSeconds: 60 })] }, usage: { 10: 2 }, expected: 'cap_exceeded:rule#10:2' },
    { name: 'onCapReached ask with budget left → allow', req: sign(1), rec: { grants: [g(1, { onCapReached: 'ask' })], rules: [r(10, 1, 'sign_event', { maxUsageCount: 2, windowSeconds: 60 })] }, usage: { 10: 1 }, expected: 'allow:rule#10' },
    { name: 'capped rule does not cover sensitive kind (asks, no cap check)', req: sign(0), rec: { grants: [G], rules: [r(10, 1, 'sign_event', { maxUsageCount: 1 })] }, usage: {}, expected: 'ask:no_rule' },
    { name: 'nip44_decrypt cap spent', req: call('nip44_decrypt'), rec: { grants: [G], rules: [r(10, 1, 'nip44_decrypt', { maxUsageCount: 4, windowSeconds: 10 })] }, usage: { 10: 4 }, expected: 'cap_exceeded:rule#10:4' },

    // --- non-consequential methods have no caps ---
    { name: 'get_public_key ignores a cap', req: call('get_public_key'), rec: { grants: [G], rules: [r(10, 1, 'get_public_key', { maxUsageCount: 1, windowSeconds: 60 })] }, usage: {}, expected: 'allow:rule#10' },
    { name: 'get_relays ignores a get_public_key cap', req: call('get_relays'), rec: { grants: [G], rules: [r(10, 1, 'get_public_key', { maxUsageCount: 1 })] }, usage: {}, expected: 'allow:rule#10' },
  ];

  it.each(rows)('$name → $expected', ({ req, rec, usage, expected }) => {
    const records_ = records(rec);
    // Feed exactly what capsToCount asks for, as the guard does.
    const map = new Map<number, number>();
    for (const rule of capsToCount(req, records_, clock)) map.set(rule.id, usage?.[rule.id] ?? 0);
    expect(summary(decide(req, records_, map, clock))).toBe(expected);
  });

  it('decision carries the rule object and usage for a spent cap', () => {
    const rule = r(10, 1, 'sign_event', { maxUsageCount: 2, windowSeconds: 60 });
    const d = decide(sign(1), records({ grants: [G], rules: [rule] }), new Map([[10, 2]]), clock);
    expect(d).toEqual({ outcome: 'cap_exceeded', rule, used: 2 });
  });

  it('decide throws when a needed usage count is missing', () => {
    const rec = records({ grants: [G], rules: [r(10, 1, 'sign_event', { maxUsageCount: 2 }), r(11, 1, 'sign_event', { maxUsageCount: 5 })] });
    expect(() => decide(sign(1), rec, new Map(), clock)).toThrow(/rule 10/);
    expect(() => decide(sign(1), rec, new Map([[10, 0]]), clock)).toThrow(/rule 11/);
    expect(() => decide(sign(1), rec, new Map([[10, 0], [11, 0]]), clock)).not.toThrow();
  });

  it('decide does not need usage when a deny decides first', () => {
    const capped = r(10, 1, 'sign_event', { maxUsageCount: 2 });
    expect(decide(sign(1), records({ grants: [G], rules: [capped], overrides: [o(20, 'sign_event', 'deny')] }), new Map(), clock).outcome).toBe('deny');
  });

  // Caps bind on every request they count, whatever would allow it, so they are checked before
  // asking: a sensitive kind that no rule covers is not asked about when a cap counting it is spent.
  it.each<[string, number, string]>([
    ['budget left: the uncovered sensitive kind is asked about', 1, 'ask'],
    ['cap spent: refused at once, no prompt that could not be honoured', 2, 'cap_exceeded'],
  ])('%s', (_name, usedCount, outcome) => {
    const capped = r(10, 1, 'sign_event', { maxUsageCount: 2 });
    expect(() => decide(sign(0), records({ grants: [G], rules: [capped] }), new Map(), clock)).toThrow();
    expect(decide(sign(0), records({ grants: [G], rules: [capped] }), new Map([[10, usedCount]]), clock).outcome).toBe(outcome);
  });

  it('is a pure function of now: the same records flip at the expiry instant', () => {
    const rec = records({ grants: [g(1, { expiresAt: NOW })], rules: [r(10, 1, 'sign_event')] });
    expect(decide(sign(1), rec, new Map(), { now: NOW - 1, sessionId: SESSION }).outcome).toBe('allow');
    expect(decide(sign(1), rec, new Map(), { now: NOW, sessionId: SESSION }).outcome).toBe('ask');
  });
});

describe('capsToCount', () => {
  const G = g(1);
  it.each<[string, PolicyRequest, Partial<PolicyRecords>, number[]]>([
    ['both stacked caps of the method', sign(1), { grants: [G], rules: [r(10, 1, 'sign_event', { maxUsageCount: 20, windowSeconds: 3_600 }), r(11, 1, 'sign_event', { maxUsageCount: 200, windowSeconds: 86_400 })] }, [10, 11]],
    ['uncapped rules are not counted', sign(1), { grants: [G], rules: [r(10, 1, 'sign_event'), r(11, 1, 'sign_event', { maxUsageCount: 5 })] }, [11]],
    ['kind-null cap counts for a kind request, kind-7 cap does not for kind 1', sign(1), { grants: [G], rules: [r(10, 1, 'sign_event', { maxUsageCount: 5 }), r(11, 1, 'sign_event', { kind: 7, maxUsageCount: 5 }), r(12, 1, 'sign_event', { kind: 1, maxUsageCount: 5 })] }, [10, 12]],
    ['sensitive kind: kind-null cap still counts', sign(0), { grants: [G], rules: [r(10, 1, 'sign_event', { maxUsageCount: 5 })] }, [10]],
    ['rules of a dead grant are not counted', sign(1), { grants: [g(1, { revokedAt: NOW - 1 })], rules: [r(10, 1, 'sign_event', { maxUsageCount: 5 })] }, []],
    ['rules of another method are not counted', call('nip04_encrypt'), { grants: [G], rules: [r(10, 1, 'nip04_decrypt', { maxUsageCount: 5 }), r(11, 1, 'nip04_encrypt', { maxUsageCount: 5 })] }, [11]],
    ['get_public_key: never', call('get_public_key'), { grants: [G], rules: [r(10, 1, 'get_public_key', { maxUsageCount: 1 })] }, []],
    ['get_relays: never', call('get_relays'), { grants: [G], rules: [r(10, 1, 'get_public_key', { maxUsageCount: 1 }), r(11, 1, 'get_relays', { maxUsageCount: 1 })] }, []],
  ])('%s', (_name, req, rec, ids) => {
    expect(capsToCount(req, records(rec), clock).map((x) => x.id)).toEqual(ids);
  });

  it.each(METHODS.filter((m) => m !== 'get_public_key' && m !== 'get_relays'))('%s is consequential: its caps are counted', (method) => {
    const req: PolicyRequest = { method, kind: method === 'sign_event' ? 1 : null };
    expect(capsToCount(req, records({ grants: [G], rules: [r(10, 1, method, { maxUsageCount: 1 })] }), clock).map((x) => x.id)).toEqual([10]);
  });
});

describe('describeDecision', () => {
  it('names the cap, the usage and when it frees up', () => {
    const rule = r(10, 1, 'sign_event', { maxUsageCount: 2, windowSeconds: 60 });
    const text = describeDecision({ outcome: 'cap_exceeded', rule, used: 2 }, NOW + 5_000);
    expect(text).toContain('#10');
    expect(text).toContain('2/2');
    expect(text).toContain(new Date(NOW + 5_000).toISOString());
  });
  it('a lifetime cap never frees up', () => {
    const rule = r(10, 1, 'sign_event', { maxUsageCount: 2 });
    expect(describeDecision({ outcome: 'cap_exceeded', rule, used: 2 }, Infinity)).toContain('never frees up');
  });
});
