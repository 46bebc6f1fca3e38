// The lock gate's comparison with constraints: removing or widening a constraint loosens, adding
// or narrowing one tightens (docs/THREATS.md, scopes).
import { describe, expect, it } from 'vitest';
import { overrideAddImpact, patchRule, ruleAddImpact, ruleUpdateImpact, scopeCovers, type Impact, type RuleShape } from './impact.ts';

const X = 'a'.repeat(64);
const Y = 'b'.repeat(64);
const dec = (extra: Partial<RuleShape> = {}): RuleShape => ({ method: 'nip44_decrypt', kind: null, maxUsageCount: null, windowSeconds: null, ...extra });
const auth = (extra: Partial<RuleShape> = {}): RuleShape => ({ method: 'sign_event', kind: 22242, maxUsageCount: null, windowSeconds: null, ...extra });
const http = (extra: Partial<RuleShape> = {}): RuleShape => ({ method: 'sign_event', kind: 27235, maxUsageCount: null, windowSeconds: null, ...extra });

describe('ruleUpdateImpact with constraints', () => {
  it.each<[string, RuleShape, Partial<RuleShape>, Impact]>([
    ['removing peers loosens', dec({ peers: [X] }), { peers: null }, 'loosens'],
    ['adding a peer loosens', dec({ peers: [X] }), { peers: [X, Y] }, 'loosens'],
    ['replacing a peer loosens', dec({ peers: [X] }), { peers: [Y] }, 'loosens'],
    ['dropping one of two peers tightens', dec({ peers: [X, Y] }), { peers: [X] }, 'tightens'],
    ['adding peers to an open rule tightens', dec(), { peers: [X] }, 'tightens'],
    ['the same peers in another order changes nothing', dec({ peers: [X, Y] }), { peers: [Y, X] }, 'neutral'],
    ['removing giftWraps loosens', dec({ giftWraps: true }), { giftWraps: null }, 'loosens'],
    ['adding giftWraps tightens', dec(), { giftWraps: true }, 'tightens'],
    ['removing relays loosens', auth({ relays: ['wss://r.example'] }), { relays: null }, 'loosens'],
    ['another relay loosens', auth({ relays: ['wss://r.example'] }), { relays: ['wss://s.example'] }, 'loosens'],
    ['adding relays tightens', auth(), { relays: ['wss://r.example'] }, 'tightens'],
    ['a shorter URL prefix widens: loosens', http({ urls: ['https://a.com/api'] }), { urls: ['https://a.com'] }, 'loosens'],
    ['a longer URL prefix narrows: tightens', http({ urls: ['https://a.com'] }), { urls: ['https://a.com/api'] }, 'tightens'],
    ['removing httpMethods loosens', http({ urls: ['https://a.com'], httpMethods: ['GET'] }), { httpMethods: null }, 'loosens'],
    ['adding an HTTP method loosens', http({ httpMethods: ['GET'] }), { httpMethods: ['GET', 'POST'] }, 'loosens'],
    ['narrowing a capped rule loosens (its cap stops counting elsewhere)', dec({ maxUsageCount: 5, windowSeconds: 60 }), { peers: [X] }, 'loosens'],
  ])('%s', (_name, current, patch, expected) => {
    expect(ruleUpdateImpact(current, patchRule(current, patch), [])).toBe(expected);
  });
});

describe('ruleAddImpact and scopeCovers with constraints', () => {
  it.each<[string, RuleShape[], RuleShape, Impact]>([
    ['a peer rule beside an open rule adds nothing', [dec()], dec({ peers: [X] }), 'neutral'],
    ['an open rule beside a peer rule loosens', [dec({ peers: [X] })], dec(), 'loosens'],
    ['another peer beside a peer rule loosens', [dec({ peers: [X] })], dec({ peers: [Y] }), 'loosens'],
    ['a plain peers rule does not cover gift wraps from that peer', [dec({ peers: [X] })], dec({ giftWraps: true, peers: [X] }), 'loosens'],
    ['gift wraps from X beside all gift wraps adds nothing', [dec({ giftWraps: true })], dec({ giftWraps: true, peers: [X] }), 'neutral'],
  ])('%s', (_name, live, proposed, expected) => {
    expect(ruleAddImpact({ grantExpiresAt: null, rules: live }, proposed, null, [])).toBe(expected);
  });

  it('a wide URL prefix covers a narrower one, never the reverse', () => {
    expect(scopeCovers(http({ urls: ['https://a.com'] }), http({ urls: ['https://a.com/api'] }), [])).toBe(true);
    expect(scopeCovers(http({ urls: ['https://a.com/api'] }), http({ urls: ['https://a.com'] }), [])).toBe(false);
    expect(scopeCovers(http({ urls: ['https://a.com/api'] }), http({ urls: ['https://a.com/api-evil'] }), [])).toBe(false);
  });
});

describe('overrideAddImpact with constraints', () => {
  it('an allow for a peer beside an allow for another peer loosens; the same one again is neutral', () => {
    const live = [{ method: 'nip44_decrypt' as const, kind: null, effect: 'allow' as const, peers: [X] }];
    expect(overrideAddImpact(live, { method: 'nip44_decrypt', kind: null, effect: 'allow', peers: [Y] })).toBe('loosens');
    expect(overrideAddImpact(live, { method: 'nip44_decrypt', kind: null, effect: 'allow', peers: [X] })).toBe('neutral');
    expect(overrideAddImpact(live, { method: 'nip44_decrypt', kind: null, effect: 'allow' })).toBe('loosens');
  });
});
