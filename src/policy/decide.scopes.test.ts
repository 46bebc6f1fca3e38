// Scopes beyond the kind (docs/ARCHITECTURE.md, Constraints): decide() tables for peers, relays,
// URLs and HTTP methods, gift wraps, and the normalisation and prefix rules they rely on.
import { describe, expect, it } from 'vitest';
import { capsToCount, decide, denyFor, type Decision, type PolicyRecords, type PolicyRequest } from './decide.ts';
import { constraintProblem, constraintsCover, normaliseRelay, normaliseUrl, urlPrefixCovers, type RequestTarget } from './constraints.ts';
import { DEFAULT_SENSITIVE_KINDS, type Method } from '../shared/methods.ts';
import { grantRec as g, overrideRec as o, ruleRec as r } from '../test/fixtures.ts';

const NOW = 1_700_000_000_000;
const clock = { now: NOW, sessionId: 's' };
const X = 'a'.repeat(64);
const Y = 'b'.repeat(64);
const EPHEMERAL = 'c'.repeat(64);

const records = (p: Partial<PolicyRecords>): PolicyRecords => ({ grants: [g(1)], rules: [], overrides: [], sensitiveKinds: [...DEFAULT_SENSITIVE_KINDS], ...p });
const summary = (d: Decision) => (d.outcome === 'allow' ? `allow:${d.by.type}#${d.by.id}` : d.outcome === 'ask' ? `ask:${d.reason}` : d.outcome);
const req = (method: Method, kind: number | null, target?: RequestTarget): PolicyRequest => ({ method, kind, ...(target ? { target } : {}) });

describe('normalisation', () => {
  it.each<[string, string | null]>([
    ['wss://relay.example.com', 'wss://relay.example.com'],
    ['WSS://Relay.Example.COM/', 'wss://relay.example.com'],
    ['wss://relay.example.com//', 'wss://relay.example.com'],
    ['wss://relay.example.com/path/', 'wss://relay.example.com/path'],
    ['ws://127.0.0.1:7777', 'ws://127.0.0.1:7777'],
    ['  wss://r.example  ', 'wss://r.example'],
    ['https://relay.example.com', null],
    ['relay.example.com', null],
    ['', null],
  ])('relay %j → %j', (input, out) => expect(normaliseRelay(input)).toBe(out));

  it.each<[string, string | null]>([
    ['https://A.com/api/', 'https://a.com/api'],
    ['HTTPS://a.com', 'https://a.com'],
    ['https://a.com/api?x=1#frag', 'https://a.com/api?x=1'],
    ['http://localhost:8080/upload', 'http://localhost:8080/upload'],
    ['wss://a.com', null],
    ['javascript:alert(1)', null],
    ['not a url', null],
  ])('url %j → %j', (input, out) => expect(normaliseUrl(input)).toBe(out));

  it.each<[string, string, boolean]>([
    ['https://a.com/api', 'https://a.com/api', true],
    ['https://a.com/api', 'https://a.com/api/v1/upload', true],
    ['https://a.com/api', 'https://a.com/api?x=1', true],
    ['https://a.com/api', 'https://a.com/api-evil', false],
    ['https://a.com/api', 'https://a.com/apiv2', false],
    ['https://a.com/api', 'https://a.com', false],
    ['https://a.com', 'https://a.com/anything', true],
    ['https://a.com', 'https://a.com.evil', false],
    ['https://a.com', 'https://a.com.evil/api', false],
    ['https://a.com', 'https://a.com:8443/api', false],
    ['https://a.com', 'http://a.com/api', false],
  ])('prefix %s covers %s: %s', (prefix, url, covered) => expect(urlPrefixCovers(prefix, url)).toBe(covered));
});

describe('which constraint fits which rule (refused at write time otherwise)', () => {
  it.each<[Method, number | null, object, string | null]>([
    ['nip44_decrypt', null, { peers: [X] }, null],
    ['nip04_encrypt', null, { peers: [X] }, null],
    ['sign_event', 1, { peers: [X] }, 'peers apply only to encrypt and decrypt rules'],
    ['get_public_key', null, { peers: [X] }, 'peers apply only'],
    ['nip44_decrypt', null, { giftWraps: true }, null],
    ['nip04_decrypt', null, { giftWraps: true }, 'giftWraps applies only to nip44_decrypt'],
    ['nip44_encrypt', null, { giftWraps: true }, 'giftWraps applies only'],
    ['sign_event', 22242, { relays: ['wss://r.example'] }, null],
    ['sign_event', 1, { relays: ['wss://r.example'] }, 'relays apply only to sign_event kind 22242'],
    ['sign_event', null, { relays: ['wss://r.example'] }, 'relays apply only'],
    ['sign_event', 27235, { urls: ['https://a.com'], httpMethods: ['GET'] }, null],
    ['sign_event', 24242, { urls: ['https://a.com'] }, null],
    ['sign_event', 24242, { httpMethods: ['GET'] }, 'httpMethods apply only to sign_event kind 27235'],
    ['sign_event', 22242, { urls: ['https://a.com'] }, 'urls apply only'],
    ['nip44_decrypt', null, { urls: ['https://a.com'] }, 'urls apply only'],
    ['sign_event', 1, { peers: null, relays: null }, null],
  ])('%s kind %s with %j → %s', (method, kind, c, problem) => {
    const got = constraintProblem(method, kind, c);
    if (problem === null) expect(got).toBeNull();
    else expect(got).toContain(problem);
  });
});

describe('decide() with constraints: in, out', () => {
  const relayRule = r(10, 1, 'sign_event', { kind: 22242, relays: ['wss://r.example'] });
  const httpRule = r(11, 1, 'sign_event', { kind: 27235, urls: ['https://a.com/api'], httpMethods: ['GET'] });
  const blossomRule = r(12, 1, 'sign_event', { kind: 24242, urls: ['https://cdn.example'] });
  const peerRule = r(13, 1, 'nip44_decrypt', { peers: [X] });
  const encRule = r(14, 1, 'nip04_encrypt', { peers: [X, Y] });
  const wrapRule = r(15, 1, 'nip44_decrypt', { giftWraps: true });
  const wrapPeerRule = r(16, 1, 'nip44_decrypt', { giftWraps: true, peers: [X] });

  it.each<[string, readonly ReturnType<typeof r>[], PolicyRequest, string]>([
    ['AUTH for a listed relay', [relayRule], req('sign_event', 22242, { relay: 'wss://r.example' }), 'allow:rule#10'],
    ['AUTH for an unlisted relay asks', [relayRule], req('sign_event', 22242, { relay: 'wss://other.example' }), 'ask:no_rule'],
    ['AUTH without a relay tag asks', [relayRule], req('sign_event', 22242, {}), 'ask:no_rule'],
    ['AUTH with no target at all asks', [relayRule], req('sign_event', 22242), 'ask:no_rule'],
    ['an unconstrained AUTH rule covers any relay', [r(20, 1, 'sign_event', { kind: 22242 })], req('sign_event', 22242, { relay: 'wss://x.example' }), 'allow:rule#20'],
    ['HTTP auth inside the prefix, listed method', [httpRule], req('sign_event', 27235, { url: 'https://a.com/api/upload', httpMethod: 'GET' }), 'allow:rule#11'],
    ['HTTP auth for another method asks', [httpRule], req('sign_event', 27235, { url: 'https://a.com/api/upload', httpMethod: 'POST' }), 'ask:no_rule'],
    ['HTTP auth for a sibling path asks', [httpRule], req('sign_event', 27235, { url: 'https://a.com/api-evil', httpMethod: 'GET' }), 'ask:no_rule'],
    ['HTTP auth for a look-alike host asks', [httpRule], req('sign_event', 27235, { url: 'https://a.com.evil/api', httpMethod: 'GET' }), 'ask:no_rule'],
    ['HTTP auth without a method tag asks', [httpRule], req('sign_event', 27235, { url: 'https://a.com/api' }), 'ask:no_rule'],
    ['Blossom auth for the listed server', [blossomRule], req('sign_event', 24242, { url: 'https://cdn.example/upload' }), 'allow:rule#12'],
    ['Blossom auth for another server asks', [blossomRule], req('sign_event', 24242, { url: 'https://cdn.other/upload' }), 'ask:no_rule'],
    ['decrypt from a listed peer', [peerRule], req('nip44_decrypt', null, { peer: X }), 'allow:rule#13'],
    ['decrypt from another peer asks', [peerRule], req('nip44_decrypt', null, { peer: Y }), 'ask:no_rule'],
    ['a peers decrypt rule does not cover encrypt', [peerRule], req('nip44_encrypt', null, { peer: X }), 'ask:no_rule'],
    ['encrypt to the second listed peer', [encRule], req('nip04_encrypt', null, { peer: Y }), 'allow:rule#14'],
    ['a gift wrap holding a seal', [wrapRule], req('nip44_decrypt', 1059, { peer: EPHEMERAL, dm: { layer: 'wrap', sender: Y } }), 'allow:rule#15'],
    ['the seal layer of a message', [wrapRule], req('nip44_decrypt', null, { peer: X, dm: { layer: 'seal', sender: X } }), 'allow:rule#15'],
    ['a gift-wrap rule never covers a plain decrypt', [wrapRule], req('nip44_decrypt', null, { peer: X }), 'ask:no_rule'],
    ['a plaintext that is no seal (no dm) asks', [wrapRule], req('nip44_decrypt', null, { peer: EPHEMERAL }), 'ask:no_rule'],
    ['gift wraps from the listed sender', [wrapPeerRule], req('nip44_decrypt', 1059, { peer: EPHEMERAL, dm: { layer: 'wrap', sender: X } }), 'allow:rule#16'],
    ['gift wraps from another sender ask', [wrapPeerRule], req('nip44_decrypt', 1059, { peer: EPHEMERAL, dm: { layer: 'wrap', sender: Y } }), 'ask:no_rule'],
    ['a plain peers rule judges the wrap by its one-time key', [peerRule], req('nip44_decrypt', 1059, { peer: EPHEMERAL, dm: { layer: 'wrap', sender: X } }), 'ask:no_rule'],
    ['a plain unconstrained decrypt rule still covers a gift wrap', [r(21, 1, 'nip44_decrypt')], req('nip44_decrypt', 1059, { peer: EPHEMERAL, dm: { layer: 'wrap', sender: X } }), 'allow:rule#21'],
    ['one rule out, another in', [relayRule, r(22, 1, 'sign_event', { kind: 22242, relays: ['wss://other.example'] })], req('sign_event', 22242, { relay: 'wss://other.example' }), 'allow:rule#22'],
  ])('%s', (_name, rules, request, expected) => {
    expect(summary(decide(request, records({ rules }), new Map(), clock))).toBe(expected);
  });

  it('an allow override with peers covers only those peers', () => {
    const overrides = [o(30, 'nip44_decrypt', 'allow', { peers: [X] })];
    expect(summary(decide(req('nip44_decrypt', null, { peer: X }), records({ overrides }), new Map(), clock))).toBe('allow:override#30');
    expect(summary(decide(req('nip44_decrypt', null, { peer: Y }), records({ overrides }), new Map(), clock))).toBe('ask:no_rule');
  });

  it.each<[string, RequestTarget, boolean]>([
    ['the listed peer in the params', { peer: X }, true],
    ['the listed peer as the sender of a seal inside a wrap', { peer: EPHEMERAL, dm: { layer: 'wrap', sender: X } }, true],
    ['another peer', { peer: Y }, false],
  ])('a deny override with peers reaches %s: %s', (_name, target, denied) => {
    const overrides = [o(31, 'nip44_decrypt', 'deny', { peers: [X] })];
    const rules = [r(21, 1, 'nip44_decrypt')];
    expect(denyFor(req('nip44_decrypt', target.dm ? 1059 : null, target), records({ overrides }), clock) !== null).toBe(denied);
    expect(summary(decide(req('nip44_decrypt', target.dm ? 1059 : null, target), records({ rules, overrides }), new Map(), clock))).toBe(denied ? 'deny' : 'allow:rule#21');
  });

  it('a relay deny override refuses that relay only', () => {
    const overrides = [o(32, 'sign_event', 'deny', { kind: 22242, relays: ['wss://bad.example'] })];
    const rules = [r(20, 1, 'sign_event', { kind: 22242 })];
    expect(summary(decide(req('sign_event', 22242, { relay: 'wss://bad.example' }), records({ rules, overrides }), new Map(), clock))).toBe('deny');
    expect(summary(decide(req('sign_event', 22242, { relay: 'wss://good.example' }), records({ rules, overrides }), new Map(), clock))).toBe('allow:rule#20');
  });
});

describe('caps with constraints', () => {
  it('a capped rule with peers binds only on its peers', () => {
    const capped = r(40, 1, 'nip44_decrypt', { peers: [X], maxUsageCount: 2, windowSeconds: 60 });
    const open = r(41, 1, 'nip44_decrypt');
    const recs = records({ rules: [capped, open] });
    expect(capsToCount(req('nip44_decrypt', null, { peer: X }), recs, clock).map((c) => c.id)).toEqual([40]);
    expect(capsToCount(req('nip44_decrypt', null, { peer: Y }), recs, clock)).toEqual([]);
    // Spent for X: X is refused, Y still goes through the open rule.
    expect(summary(decide(req('nip44_decrypt', null, { peer: X }), recs, new Map([[40, 2]]), clock))).toBe('cap_exceeded');
    expect(summary(decide(req('nip44_decrypt', null, { peer: Y }), recs, new Map(), clock))).toBe('allow:rule#41');
  });

  it('a DM-read cap counts messages: it binds on the gift-wrap layer, not on the seal layer', () => {
    const dmCap = r(42, 1, 'nip44_decrypt', { giftWraps: true, maxUsageCount: 3, windowSeconds: 86_400 });
    const recs = records({ rules: [dmCap] });
    const wrap = req('nip44_decrypt', 1059, { peer: EPHEMERAL, dm: { layer: 'wrap', sender: X } });
    const seal = req('nip44_decrypt', null, { peer: X, dm: { layer: 'seal', sender: X } });
    expect(capsToCount(wrap, recs, clock).map((c) => c.id)).toEqual([42]);
    expect(capsToCount(seal, recs, clock)).toEqual([]);
    expect(summary(decide(wrap, recs, new Map([[42, 3]]), clock))).toBe('cap_exceeded');
    expect(summary(decide(seal, recs, new Map(), clock))).toBe('allow:rule#42');
  });

  it('a capped relay rule binds on every AUTH (relays do not narrow a cap: stricter, never looser)', () => {
    const capped = r(43, 1, 'sign_event', { kind: 22242, relays: ['wss://r.example'], maxUsageCount: 1, windowSeconds: 60 });
    const other = r(44, 1, 'sign_event', { kind: 22242, relays: ['wss://s.example'] });
    expect(summary(decide(req('sign_event', 22242, { relay: 'wss://s.example' }), records({ rules: [capped, other] }), new Map([[43, 1]]), clock))).toBe('cap_exceeded');
  });
});

describe('constraintsCover (the matcher alone)', () => {
  it('a constraint with no value on the request never matches', () => {
    expect(constraintsCover({ urls: ['https://a.com'] }, undefined, 'sign_event')).toBe(false);
    expect(constraintsCover({ peers: [X] }, {}, 'nip44_decrypt')).toBe(false);
    expect(constraintsCover({}, undefined, 'sign_event')).toBe(true);
  });
});
