// The one comparison behind the restore plan's labels and the lock gate, as tables.
import { describe, expect, it } from 'vitest';
import {
  autoLockImpact,
  capImpact,
  combine,
  grantReplaceImpact,
  overrideAddImpact,
  overrideLiftImpact,
  patchRule,
  retentionImpact,
  ruleAddImpact,
  ruleDeleteImpact,
  ruleUpdateImpact,
  scopeCovers,
  sensitiveKindsImpact,
  type GrantShape,
  type Impact,
  type RuleShape,
} from './impact.ts';

const SENSITIVE = [0, 3];
const T = 1_000_000;
const rule = (extra: Partial<RuleShape> = {}): RuleShape => ({ method: 'sign_event', kind: 1, maxUsageCount: null, windowSeconds: null, ...extra });
const cap = (maxUsageCount: number | null, windowSeconds: number | null = 3600) => ({ maxUsageCount, windowSeconds });

describe('combine', () => {
  it.each<[Impact[], Impact]>([
    [[], 'neutral'],
    [['neutral', 'tightens'], 'tightens'],
    [['tightens', 'loosens', 'neutral'], 'loosens'],
  ])('%j → %s', (parts, expected) => expect(combine(parts)).toBe(expected));
});

describe('scopeCovers', () => {
  it.each<[string, RuleShape, RuleShape, boolean]>([
    ['same scope', rule(), rule(), true],
    ['any kind covers a plain kind', rule({ kind: null }), rule({ kind: 1 }), true],
    ['any kind never covers a sensitive kind', rule({ kind: null }), rule({ kind: 0 }), false],
    ['a kind does not cover any kind', rule({ kind: 1 }), rule({ kind: null }), false],
    ['another method', rule({ method: 'nip44_encrypt', kind: null }), rule({ method: 'nip04_encrypt', kind: null }), false],
  ])('%s', (_n, wide, narrow, expected) => expect(scopeCovers(wide, narrow, SENSITIVE)).toBe(expected));
});

describe('capImpact', () => {
  it.each<[string, ReturnType<typeof cap>, ReturnType<typeof cap>, Impact]>([
    ['the same', cap(5), cap(5), 'neutral'],
    ['uncapped both', cap(null, null), cap(null, 60), 'neutral'],
    ['lower count', cap(5), cap(2), 'tightens'],
    ['higher count', cap(5), cap(6), 'loosens'],
    ['removed', cap(5), cap(null, null), 'loosens'],
    ['added', cap(null, null), cap(5), 'tightens'],
    ['longer window, same count', cap(5, 3600), cap(5, 86_400), 'tightens'],
    ['shorter window, same count', cap(5, 3600), cap(5, 60), 'loosens'],
    ['lifetime is the longest window', cap(5, 86_400), cap(5, null), 'tightens'],
    ['more per a longer window: not comparable, so loosens', cap(5, 3600), cap(10, 86_400), 'loosens'],
  ])('%s', (_n, current, proposed, expected) => expect(capImpact(current, proposed)).toBe(expected));
});

describe('ruleUpdateImpact (with patchRule)', () => {
  const capped = rule({ ...cap(5) });
  it.each<[string, RuleShape, Parameters<typeof patchRule>[1], Impact]>([
    ['no change', capped, {}, 'neutral'],
    ['cap lowered', capped, { maxUsageCount: 3 }, 'tightens'],
    ['cap raised', capped, { maxUsageCount: 6 }, 'loosens'],
    ['cap removed', capped, { maxUsageCount: null }, 'loosens'],
    ['window shortened', capped, { windowSeconds: 60 }, 'loosens'],
    ['window lengthened', capped, { windowSeconds: 7200 }, 'tightens'],
    ['kind widened to any', capped, { kind: null }, 'loosens'],
    ['another kind', capped, { kind: 7 }, 'loosens'],
    ['another method', rule({ method: 'nip44_encrypt', kind: null }), { method: 'nip44_decrypt' }, 'loosens'],
    ['an uncapped any-kind rule narrowed to one kind', rule({ kind: null }), { kind: 1 }, 'tightens'],
    ['an uncapped any-kind rule narrowed to a sensitive kind', rule({ kind: null }), { kind: 0 }, 'loosens'],
    ['a capped any-kind rule narrowed: its cap stops counting the rest', rule({ kind: null, ...cap(5) }), { kind: 1 }, 'loosens'],
    ['a cap added to an uncapped rule', rule(), { maxUsageCount: 9, windowSeconds: 60 }, 'tightens'],
  ])('%s', (_n, current, patch, expected) => expect(ruleUpdateImpact(current, patchRule(current, patch), SENSITIVE)).toBe(expected));

  it('patchRule: absent fields stay, null clears, a method without kinds has none', () => {
    expect(patchRule(rule({ ...cap(5) }), { maxUsageCount: null })).toMatchObject({ maxUsageCount: null, windowSeconds: 3600, kind: 1 });
    expect(patchRule(rule(), { method: 'nip44_encrypt' })).toMatchObject({ method: 'nip44_encrypt', kind: null });
  });
});

describe('ruleDeleteImpact', () => {
  it.each<[ReturnType<typeof cap>, Impact]>([
    [cap(5), 'loosens'],
    [cap(null, null), 'tightens'],
  ])('%j → %s', (c, expected) => expect(ruleDeleteImpact(c)).toBe(expected));
});

describe('ruleAddImpact', () => {
  const live = (rules: RuleShape[], grantExpiresAt: number | null = null) => ({ grantExpiresAt, rules });
  it.each<[string, ReturnType<typeof live> | undefined, RuleShape, number | null, Impact]>([
    ['no grant here', undefined, rule(), null, 'loosens'],
    ['a new scope', live([rule()]), rule({ kind: 7 }), null, 'loosens'],
    ['covered by an any-kind rule', live([rule({ kind: null })]), rule({ kind: 1 }), null, 'neutral'],
    ['a sensitive kind is not covered by any-kind', live([rule({ kind: null })]), rule({ kind: 0 }), null, 'loosens'],
    ['covered, and adds a cap', live([rule()]), rule({ ...cap(5) }), null, 'tightens'],
    ['covered, a looser cap than the one here', live([rule({ ...cap(5) })]), rule({ ...cap(9) }), null, 'neutral'],
    ['covered, a stricter cap than the one here', live([rule({ ...cap(5) })]), rule({ ...cap(2) }), null, 'tightens'],
    ['an any-kind cap here already binds kind 1', live([rule({ kind: null, ...cap(2) })]), rule({ ...cap(5) }), null, 'neutral'],
    ['allows past the local grant expiry', live([rule()], T), rule(), null, 'loosens'],
    ['expires with the local grant', live([rule()], T), rule({ expiresAt: T }), null, 'neutral'],
    ['its own grant expires first', live([rule()], T), rule(), T - 1, 'neutral'],
    ['allows past the local rule expiry', live([rule({ expiresAt: T })]), rule(), null, 'loosens'],
  ])('%s', (_n, here, proposed, grantExpiry, expected) => expect(ruleAddImpact(here, proposed, grantExpiry, SENSITIVE)).toBe(expected));
});

describe('grantReplaceImpact', () => {
  const here: GrantShape = { expiresAt: null, onCapReached: 'deny', rules: [rule({ ...cap(5) }), rule({ method: 'nip44_encrypt', kind: null })] };
  const g = (rules: readonly RuleShape[], extra: Partial<GrantShape> = {}): GrantShape => ({ ...here, rules, ...extra });
  it.each<[string, GrantShape | undefined, GrantShape, Impact]>([
    ['a first grant', undefined, g([rule()]), 'loosens'],
    ['a first grant with no rules', undefined, g([]), 'neutral'],
    ['the same again', here, g(here.rules), 'neutral'],
    ['narrower, the cap kept stricter', here, g([rule({ ...cap(3) })]), 'tightens'],
    ['the cap dropped', here, g([rule(), here.rules[1]!]), 'loosens'],
    ['the cap raised', here, g([rule({ ...cap(50) }), here.rules[1]!]), 'loosens'],
    ['asks once a cap is spent', here, g(here.rules, { onCapReached: 'ask' }), 'loosens'],
    ['a new scope', here, g([...here.rules, rule({ kind: 7 })]), 'loosens'],
    ['expires sooner', here, g(here.rules, { expiresAt: T }), 'tightens'],
  ])('%s', (_n, current, proposed, expected) => expect(grantReplaceImpact(current, proposed, SENSITIVE)).toBe(expected));
});

describe('overrides', () => {
  it.each<[string, Parameters<typeof overrideAddImpact>[0], Parameters<typeof overrideAddImpact>[1], Impact]>([
    ['an allow', [], { method: 'sign_event', kind: 0, effect: 'allow' }, 'loosens'],
    ['a deny', [], { method: 'sign_event', kind: 0, effect: 'deny' }, 'tightens'],
    ['an allow already here for as long', [{ method: 'sign_event', kind: 0, effect: 'allow' }], { method: 'sign_event', kind: 0, effect: 'allow', expiresAt: T }, 'neutral'],
    ['an allow here for less long', [{ method: 'sign_event', kind: 0, effect: 'allow', expiresAt: T }], { method: 'sign_event', kind: 0, effect: 'allow' }, 'loosens'],
  ])('add: %s', (_n, live, proposed, expected) => expect(overrideAddImpact(live, proposed)).toBe(expected));

  it.each<[Parameters<typeof overrideLiftImpact>[0], Impact]>([
    [{ effect: 'deny', live: true }, 'loosens'],
    [{ effect: 'allow', live: true }, 'tightens'],
    [{ effect: 'deny', live: false }, 'neutral'],
  ])('lift %j → %s', (o, expected) => expect(overrideLiftImpact(o)).toBe(expected));
});

describe('settings', () => {
  it.each<[number[], number[], Impact]>([
    [[0, 3], [0, 3], 'neutral'],
    [[0, 3], [3, 0], 'neutral'],
    [[0, 3], [0], 'loosens'],
    [[0, 3], [0, 3, 7], 'tightens'],
    [[0, 3], [0, 7], 'loosens'],
    [[0, 3], [], 'loosens'],
  ])('sensitive kinds %j → %j: %s', (current, proposed, expected) => expect(sensitiveKindsImpact(current, proposed)).toBe(expected));

  it.each<[number, number, Impact]>([
    [30, 30, 'neutral'],
    [30, 5, 'tightens'],
    [30, 60, 'loosens'],
    [30, 0, 'loosens'],
    [0, 600, 'tightens'],
    [0, 0, 'neutral'],
  ])('auto-lock %i → %i minutes: %s', (current, proposed, expected) => expect(autoLockImpact(current, proposed)).toBe(expected));

  const R = { activityDays: 30, signingLogDays: null };
  it.each<[Parameters<typeof retentionImpact>[1], Impact]>([
    [{}, 'neutral'],
    [{ activityDays: 30 }, 'neutral'],
    [{ activityDays: 29 }, 'loosens'],
    [{ activityDays: 365 }, 'neutral'],
    [{ activityDays: null }, 'neutral'],
    [{ signingLogDays: 3650 }, 'loosens'],
    [{ activityDays: 365, signingLogDays: 1 }, 'loosens'],
  ])('retention %j: %s', (proposed, expected) => expect(retentionImpact(R, proposed)).toBe(expected));
});
