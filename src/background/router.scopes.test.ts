// Scopes through the whole background: window.nostr requests reach decide() with their target,
// the signing log records the peer, a per-peer cap counts its peer only, explain_request shows
// the constraint, and the lock gate refuses a widened constraint while locked.
import { describe, expect, it } from 'vitest';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import * as nip44 from 'nostr-tools/nip44';
import { askedThen, code, SITE, withAccount, type Any } from '../test/background.ts';

const peerKey = () => {
  const sk = generateSecretKey();
  return { sk, pk: getPublicKey(sk) };
};

describe('scopes through the router', () => {
  it('a decrypt rule with peers lets its peer through, asks for another, and its cap counts its peer only', async () => {
    const h = await withAccount();
    const x = peerKey();
    const y = peerKey();
    const to = (from: { sk: Uint8Array }) => nip44.encrypt('hi', nip44.getConversationKey(from.sk, h.account.pubkey));
    await h.ok('grant', { origin: SITE, rules: [{ method: 'nip44_decrypt', peers: [x.pk], maxUsageCount: 2, windowSeconds: 3_600 }] });
    const dec = (p: { sk: Uint8Array; pk: string }) => h.nip07(SITE, 'nip44_decrypt', { pubkey: p.pk, ciphertext: to(p) });
    const first = await dec(x);
    expect(first.ok && first.result).toBe('hi');
    expect(await askedThen(h, dec(y))).toBe('asked → denied');
    expect(code(await dec(x))).toBe('ok');
    expect(code(await dec(x))).toBe('cap_exceeded');
    const log = await h.ctx.db.signingLog.toArray();
    expect(log.map((e) => e.peer)).toEqual([x.pk, x.pk]);
    const [g] = (await h.ok('get_policies', { origin: SITE })).grants;
    expect(g.rules[0]).toMatchObject({ peers: [x.pk], used: 2 });
  });

  it('relay AUTH for a listed relay is signed; for another relay it asks', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', kind: 22242, relays: ['wss://relay.example/'] }] });
    const auth = (relay: string) => h.sign(SITE, { kind: 22242, content: '', tags: [['relay', relay], ['challenge', 'c']] });
    expect(code(await auth('WSS://Relay.Example'))).toBe('ok');
    expect(await askedThen(h, auth('wss://other.example'))).toBe('asked → denied');
    expect(await askedThen(h, h.sign(SITE, { kind: 22242, content: '', tags: [['challenge', 'c']] }))).toBe('asked → denied');
  });

  it('HTTP auth inside the URL prefix and method is signed; another URL or method asks', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', kind: 27235, urls: ['https://api.example/v1'], httpMethods: ['GET'] }] });
    const http = (u: string, m: string) => h.sign(SITE, { kind: 27235, content: '', tags: [['u', u], ['method', m]] });
    expect(code(await http('https://api.example/v1/items', 'get'))).toBe('ok');
    expect(await askedThen(h, http('https://api.example/v1-evil', 'GET'))).toBe('asked → denied');
    expect(await askedThen(h, http('https://api.example.evil/v1', 'GET'))).toBe('asked → denied');
    expect(await askedThen(h, http('https://api.example/v1/items', 'POST'))).toBe('asked → denied');
  });

  it('explain_request judges the target it is given and shows the constraint', async () => {
    const h = await withAccount();
    const x = peerKey();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'nip44_decrypt', peers: [x.pk] }] });
    const inside: Any = await h.ok('explain_request', { origin: SITE, method: 'nip44_decrypt', target: { peer: x.pk } });
    expect(inside).toMatchObject({ outcome: 'allow', constraints: { peers: [x.pk], relays: null, giftWraps: null } });
    const outside: Any = await h.ok('explain_request', { origin: SITE, method: 'nip44_decrypt', target: { peer: 'b'.repeat(64) } });
    expect(outside).toMatchObject({ outcome: 'ask', constraints: null });
  });

  it('while locked, removing or widening a constraint is refused with locked; narrowing goes through', async () => {
    const h = await withAccount();
    const x = peerKey();
    const y = peerKey();
    const { grantId } = await h.ok('grant', { origin: SITE, rules: [{ method: 'nip44_decrypt', peers: [x.pk, y.pk] }] });
    const [rule] = (await h.ok('get_policies', { origin: SITE })).grants[0].rules;
    await h.ok('lock');
    expect(code(await h.admin('update_policy_rule', { ruleId: rule.id, peers: null }))).toBe('locked');
    expect(code(await h.admin('update_policy_rule', { ruleId: rule.id, peers: [x.pk, y.pk, 'c'.repeat(64)] }))).toBe('locked');
    expect(code(await h.admin('add_policy_rule', { grantId, method: 'nip44_decrypt' }))).toBe('locked');
    expect(code(await h.admin('update_policy_rule', { ruleId: rule.id, peers: [x.pk] }))).toBe('ok');
    expect((await h.ok('get_policies', { origin: SITE })).grants[0].rules[0].peers).toEqual([x.pk]);
  });
});

describe('perms strings and constraints', () => {
  it('export leaves a constrained rule out and says so; import adds an unconstrained rule beside it', async () => {
    const h = await withAccount();
    const x = peerKey();
    const { grantId } = await h.ok('grant', {
      origin: SITE,
      rules: [{ method: 'sign_event', kind: 1 }, { method: 'nip44_decrypt', peers: [x.pk] }, { method: 'sign_event', kind: 22242, relays: ['wss://r.example'] }],
    });
    const out: Any = await h.ok('export_perms', { grantId });
    expect(out.perms).toBe('sign_event:1');
    expect(out.notCarried.map((r: Any) => [r.method, r.kind, r.peers, r.relays])).toEqual([
      ['nip44_decrypt', null, [x.pk], null],
      ['sign_event', 22242, null, ['wss://r.example']],
    ]);
    const imported: Any = await h.ok('import_perms', { origin: SITE, perms: 'nip44_decrypt,sign_event:1' });
    expect(imported.present).toEqual([{ method: 'sign_event', kind: 1 }]);
    expect(imported.added.map((r: Any) => r.method)).toEqual(['nip44_decrypt']);
    const rules = (await h.ok('get_policies', { origin: SITE })).grants[0].rules;
    expect(rules.filter((r: Any) => r.method === 'nip44_decrypt').map((r: Any) => r.peers)).toEqual([[x.pk], null]);
  });
});
