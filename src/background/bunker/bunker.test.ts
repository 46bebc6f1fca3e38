// The bunker against a real relay on 127.0.0.1 with real NIP-46 clients (nostr-tools'
// BunkerSigner): the same policy as a web page's, keyed by the client's `nip46:<hex>` site.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateSecretKey, verifyEvent } from 'nostr-tools/pure';
import { npubEncode } from 'nostr-tools/nip19';
import { startRelay, type TestRelay } from '../../test/relay.ts';
import { bunkerOn, clientFor, closeClients, outcome, requestEvent } from '../../test/bunker.ts';
import { waitFor } from '../../test/fixtures.ts';
import { logCount, waitPending } from '../../test/background.ts';

vi.setConfig({ testTimeout: 20_000 });

let relay: TestRelay;
beforeAll(async () => {
  relay = await startRelay();
});
afterAll(async () => {
  await relay.close();
});
afterEach(() => closeClients());

const PUBKEY_AND_NOTES = [{ method: 'get_public_key' }, { method: 'sign_event', kind: 1 }];
const note = (content = 'from my phone') => ({ kind: 1, content, tags: [], created_at: Math.floor(Date.now() / 1000) });

describe('bunker: a client connecting with a token', () => {
  it('gets the account pubkey and signatures that verify, under the token rules', async () => {
    const h = await bunkerOn(relay);
    const { bunkerUrl } = await h.ok('create_connect_token', { rules: PUBKEY_AND_NOTES, label: 'phone', expiresAt: h.clock.t + 60_000 });
    expect(bunkerUrl).toMatch(new RegExp(`^bunker://${h.bunkerPubkey}\\?`));
    const c = await clientFor(bunkerUrl);
    expect(await outcome(c.signer.connect({ name: 'Amethyst' }))).toMatchObject({ ok: true });
    expect(await outcome(c.signer.getPublicKey())).toEqual({ ok: true, value: h.account.pubkey });
    const signed = await outcome(c.signer.signEvent(note()));
    if (!signed.ok) throw new Error(signed.error);
    expect(verifyEvent(signed.value)).toBe(true);
    expect(signed.value.pubkey).toBe(h.account.pubkey);
    // The same log as a page's, under the client's site; the client is listed with its name.
    expect(await h.ctx.db.signingLog.where('[origin+id]').between([c.origin, 0], [c.origin, Infinity]).count()).toBe(1);
    expect((await h.ok('bunker_status')).clients).toEqual([{ origin: c.origin, name: 'Amethyst', connectedAt: expect.any(Number) }]);
    // The token's expiry ends the chance to connect, not the grant.
    expect((await h.ok('get_policies', { origin: c.origin })).grants).toMatchObject([{ expiresAt: null, revokedAt: null }]);
    h.clock.t += 120_000;
    expect((await outcome(c.signer.signEvent(note('after the token expired')))).ok).toBe(true);
    c.close();
  });

  it('a cap on the token rule binds: the third note in the hour is refused with cap_exceeded', async () => {
    const h = await bunkerOn(relay);
    const { bunkerUrl } = await h.ok('create_connect_token', { rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 2, windowSeconds: 3600 }] });
    const c = await clientFor(bunkerUrl);
    await c.signer.connect();
    expect((await outcome(c.signer.signEvent(note('1')))).ok).toBe(true);
    expect((await outcome(c.signer.signEvent(note('2')))).ok).toBe(true);
    expect(await outcome(c.signer.signEvent(note('3')))).toEqual({ ok: false, error: expect.stringMatching(/^cap_exceeded/) });
    expect(await logCount(h)).toBe(2);
    c.close();
  });

  it('a revoked grant binds on the next request (it asks), and a client cut off is a stranger', async () => {
    const h = await bunkerOn(relay);
    const { bunkerUrl } = await h.ok('create_connect_token', { rules: PUBKEY_AND_NOTES });
    const c = await clientFor(bunkerUrl);
    await c.signer.connect();
    expect((await outcome(c.signer.signEvent(note()))).ok).toBe(true);
    const [grant] = (await h.ok('get_policies', { origin: c.origin })).grants;
    await h.ok('revoke_grant', { grantId: grant.id });
    const asked = outcome(c.signer.signEvent(note('after revoke')));
    const [prompt] = await waitPending(h, 1, c.origin);
    await h.ok('resolve_prompt', { promptId: prompt!.promptId, decision: 'deny' });
    expect(await asked).toEqual({ ok: false, error: expect.stringMatching(/^denied/) });

    await h.ok('end_remote_client', { pubkey: c.pubkey });
    expect(await outcome(c.signer.signEvent(note('after end')))).toEqual({ ok: false, error: expect.stringMatching(/^unauthorized/) });
    expect(await h.pending()).toEqual([]);
    expect(await logCount(h)).toBe(1);
    c.close();
  });

  it('a request the rules do not cover opens a prompt naming the client; Allow completes it', async () => {
    const h = await bunkerOn(relay);
    const { bunkerUrl } = await h.ok('create_connect_token', { rules: [{ method: 'get_public_key' }] });
    const c = await clientFor(bunkerUrl);
    await c.signer.connect({ name: 'Amethyst on my phone' });
    const asked = outcome(c.signer.signEvent(note('needs a yes')), 8_000);
    const [prompt] = await waitPending(h, 1);
    expect(prompt).toMatchObject({ origin: c.origin, method: 'sign_event', kind: 1 });
    // The prompt page and the popup name the client as it named itself, with its key.
    const remote = { name: 'Amethyst on my phone', npub: npubEncode(c.origin.slice('nip46:'.length)) };
    expect((await h.ok('list_prompts')).prompts[0]).toMatchObject({ remote });
    expect(await h.ok('get_site_view', { origin: c.origin, activityLimit: 0 })).toMatchObject({ remote });
    await h.ok('resolve_prompt', { promptId: prompt!.promptId, decision: 'allow' });
    const done = await asked;
    expect(done.ok && verifyEvent(done.value)).toBe(true);
    c.close();
  });

  it('a single-use token connects one client; the second gets an error and no grant', async () => {
    const h = await bunkerOn(relay);
    const { bunkerUrl } = await h.ok('create_connect_token', { rules: PUBKEY_AND_NOTES });
    const first = await clientFor(bunkerUrl);
    expect((await outcome(first.signer.connect())).ok).toBe(true);
    const second = await clientFor(bunkerUrl);
    expect(await outcome(second.signer.connect())).toEqual({ ok: false, error: expect.stringMatching(/already used/) });
    expect(await outcome(second.signer.signEvent(note()))).toEqual({ ok: false, error: expect.stringMatching(/^unauthorized/) });
    expect((await h.ok('get_policies', { origin: second.origin })).grants).toEqual([]);
    expect(await h.pending()).toEqual([]);
    first.close();
    second.close();
  });

  it('an expired or revoked token gets an error and nothing else', async () => {
    const h = await bunkerOn(relay);
    const expiring = await h.ok('create_connect_token', { rules: PUBKEY_AND_NOTES, expiresAt: h.clock.t + 60_000 });
    const revoked = await h.ok('create_connect_token', { rules: PUBKEY_AND_NOTES });
    await h.ok('revoke_connect_token', { token: revoked.token });
    const byHash = await h.ok('create_connect_token', { rules: PUBKEY_AND_NOTES, label: 'gone' });
    const [listed] = (await h.ok('list_connect_tokens')).tokens.filter((t: { label: string }) => t.label === 'gone');
    await h.ok('revoke_connect_token', { hash: listed.hash });
    h.clock.t += 61_000;
    for (const [t, why] of [[expiring, /expired/], [revoked, /revoked/], [byHash, /revoked/]] as const) {
      const c = await clientFor(t.bunkerUrl);
      expect(await outcome(c.signer.connect())).toEqual({ ok: false, error: expect.stringMatching(why) });
      expect((await h.ok('get_policies', { origin: c.origin })).grants).toEqual([]);
      c.close();
    }
    expect(await h.ctx.db.bunkerClients.count()).toBe(0);
    expect((await h.ok('list_connect_tokens')).tokens).toEqual([]);
    expect(await h.admin('revoke_connect_token', { token: 'nope' })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  });

  it('a client with no token is refused with no prompt and no row', async () => {
    const h = await bunkerOn(relay);
    const { bunkerUrl } = await h.ok('create_connect_token', { rules: PUBKEY_AND_NOTES });
    const stranger = await clientFor(bunkerUrl.replace(/secret=[0-9a-f]+/, 'secret=' + 'f'.repeat(64)));
    expect(await outcome(stranger.signer.connect())).toEqual({ ok: false, error: expect.stringMatching(/unknown token/) });
    expect(await outcome(stranger.signer.signEvent(note()))).toEqual({ ok: false, error: expect.stringMatching(/^unauthorized/) });
    expect(await h.pending()).toEqual([]);
    await h.ctx.activity.flush();
    expect(await h.ctx.db.activity.count()).toBe(0);
    stranger.close();
  });

  it('an unknown method gets an error reply; ping and switch_relays answer', async () => {
    const h = await bunkerOn(relay);
    const { bunkerUrl } = await h.ok('create_connect_token', { rules: PUBKEY_AND_NOTES });
    const c = await clientFor(bunkerUrl);
    await c.signer.connect();
    expect(await outcome(c.signer.sendRequest('frobnicate', []))).toEqual({ ok: false, error: 'unknown method: frobnicate' });
    expect((await outcome(c.signer.ping())).ok).toBe(true);
    expect(await outcome(c.signer.sendRequest('switch_relays', []))).toEqual({ ok: true, value: JSON.stringify([relay.url]) });
    c.close();
  });

  it('logout ends the session: the next request is a stranger', async () => {
    const h = await bunkerOn(relay);
    const { bunkerUrl } = await h.ok('create_connect_token', { rules: PUBKEY_AND_NOTES });
    const c = await clientFor(bunkerUrl);
    await c.signer.connect();
    expect(await outcome(c.signer.sendRequest('logout', []))).toEqual({ ok: true, value: 'ack' });
    expect(await outcome(c.signer.signEvent(note()))).toEqual({ ok: false, error: expect.stringMatching(/^unauthorized/) });
    expect((await h.ok('get_policies', { origin: c.origin })).grants.every((g: { revokedAt: number | null }) => g.revokedAt !== null)).toBe(true);
    c.close();
  });

  it('the relay dropping every connection: the bunker reconnects and the next request is answered', async () => {
    const h = await bunkerOn(relay);
    const { bunkerUrl } = await h.ok('create_connect_token', { rules: PUBKEY_AND_NOTES });
    const c = await clientFor(bunkerUrl);
    await c.signer.connect();
    const opens = h.ctx.bunker.opens()[0]!;
    relay.dropAll();
    await waitFor(async () => (h.ctx.bunker.opens()[0]! > opens && (await h.ok('bunker_status')).relays[0].connected ? true : null), 5_000, 'a reconnection');
    // The client's pool reconnects too (nostr-tools re-opens on publish).
    expect((await outcome(c.signer.signEvent(note('after the drop')), 8_000)).ok).toBe(true);
    c.close();
  });
});

describe('bunker: requests checked before anything else', () => {
  async function connected() {
    const h = await bunkerOn(relay);
    const { bunkerUrl } = await h.ok('create_connect_token', { rules: PUBKEY_AND_NOTES });
    const c = await clientFor(bunkerUrl);
    await c.signer.connect();
    return { h, c, answerer: h.ctx.bunker.accept()! };
  }
  const nowS = () => Math.floor(Date.now() / 1000);

  it('a replayed event is dropped, and a new event reusing a request id is refused: signed once', async () => {
    const { h, c, answerer } = await connected();
    const body = { id: 'req-1', method: 'sign_event', params: [JSON.stringify(note('once'))] };
    const event = requestEvent(c.secretKey, h.bunkerPubkey, body, nowS());
    expect(await answerer.receive(event)).toMatchObject({ type: 'replied', id: 'req-1', result: expect.any(String) });
    expect(await answerer.receive(event)).toEqual({ type: 'dropped', why: 'event seen before' });
    const again = requestEvent(c.secretKey, h.bunkerPubkey, body, nowS() + 1);
    expect(await answerer.receive(again)).toMatchObject({ type: 'replied', error: expect.stringMatching(/^replayed/) });
    expect(await logCount(h)).toBe(1);
    c.close();
  });

  it.each([
    ['10 minutes old', -600],
    ['10 minutes ahead', 600],
  ])('a request %s is refused as stale and nothing is signed', async (_name, offset) => {
    const { h, c, answerer } = await connected();
    const event = requestEvent(c.secretKey, h.bunkerPubkey, { id: 'old-1', method: 'sign_event', params: [JSON.stringify(note())] }, nowS() + offset);
    expect(await answerer.receive(event)).toMatchObject({ type: 'replied', error: expect.stringMatching(/^stale/) });
    expect(await logCount(h)).toBe(0);
    c.close();
  });

  it('a request within the freshness window (4 minutes old) is answered', async () => {
    const { h, c, answerer } = await connected();
    const event = requestEvent(c.secretKey, h.bunkerPubkey, { id: 'ok-1', method: 'sign_event', params: [JSON.stringify(note())] }, nowS() - 240);
    expect(await answerer.receive(event)).toMatchObject({ type: 'replied', result: expect.any(String) });
    c.close();
  });

  it('bad params get an invalid_request reply and nothing is signed', async () => {
    const { h, c, answerer } = await connected();
    const cases = [
      { id: 'b1', method: 'sign_event', params: ['{not json'] },
      { id: 'b2', method: 'sign_event', params: [JSON.stringify({ kind: -1, content: '', tags: [] })] },
      { id: 'b3', method: 'nip44_encrypt', params: ['zz', 'hi'] },
      { id: 'b4', method: 'nip04_decrypt', params: ['ab'.repeat(32), 'not a payload'] },
    ];
    for (const body of cases) {
      expect(await answerer.receive(requestEvent(c.secretKey, h.bunkerPubkey, body, nowS())), body.id).toMatchObject({ type: 'replied', error: expect.stringMatching(/^invalid_request/) });
    }
    expect(await logCount(h)).toBe(0);
    c.close();
  });

  it('while the kill switch is on, a known client is refused with denied and no prompt', async () => {
    const { h, c } = await connected();
    await h.ok('set_kill_switch', { on: true });
    // Kind 7 is not in the token's rules: without the switch it would ask.
    expect(await outcome(c.signer.signEvent({ ...note(), kind: 7 }), 3_000)).toEqual({ ok: false, error: expect.stringMatching(/^denied/) });
    expect(await h.pending()).toEqual([]);
    c.close();
  });

  it('strangers get a bounded number of error replies, then nothing', async () => {
    const { h, answerer } = await connected();
    const sk = generateSecretKey();
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await answerer.receive(requestEvent(sk, h.bunkerPubkey, { id: `s${i}`, method: 'sign_event', params: ['{}'] }, nowS())));
    expect(results.filter((r) => r.type === 'replied')).toHaveLength(5);
    expect(results.slice(5).every((r) => r.type === 'dropped')).toBe(true);
  });
});

describe('bunker: a client-initiated nostrconnect:// URI', () => {
  it('accept_nostrconnect answers the client with its secret and grants what it asked for', async () => {
    const { createNostrConnectURI } = await import('nostr-tools/nip46');
    const { BunkerSigner } = await import('nostr-tools/nip46');
    const { SimplePool } = await import('nostr-tools/pool');
    const h = await bunkerOn(relay);
    const sk = generateSecretKey();
    const { getPublicKey } = await import('nostr-tools/pure');
    const uri = createNostrConnectURI({ clientPubkey: getPublicKey(sk), relays: [relay.url], secret: 'c0ffee', perms: ['get_public_key', 'sign_event:1', 'sign_event:x', 'frobnicate'], name: 'Desk app' });
    const pool = new SimplePool();
    const connecting = BunkerSigner.fromURI(sk, uri, { pool }, 8_000);
    await new Promise((r) => setTimeout(r, 300));
    const { origin } = await h.ok('accept_nostrconnect', { uri });
    expect(origin).toBe(`nip46:${getPublicKey(sk)}`);
    const signer = await connecting;
    expect((await outcome(signer.signEvent(note()))).ok).toBe(true);
    const [grant] = (await h.ok('get_policies', { origin })).grants;
    expect(grant.rules.map((r: { method: string; kind: number | null }) => [r.method, r.kind])).toEqual([['get_public_key', null], ['sign_event', 1]]);
    expect((await h.ok('bunker_status')).clients).toEqual([{ origin, name: 'Desk app', connectedAt: expect.any(Number) }]);
    await signer.close();
    pool.destroy();
  });

  it.each([
    ['not a URI', 'hello'],
    ['another scheme', `bunker://${'ab'.repeat(32)}?relay=ws%3A%2F%2F127.0.0.1%3A1&secret=s`],
    ['no secret', `nostrconnect://${'ab'.repeat(32)}?relay=ws%3A%2F%2F127.0.0.1%3A1`],
    ['no relay', `nostrconnect://${'ab'.repeat(32)}?secret=s`],
    ['a bad key', `nostrconnect://xyz?relay=ws%3A%2F%2F127.0.0.1%3A1&secret=s`],
  ])('a bad URI (%s) is invalid_request and nothing is stored', async (_name, uri) => {
    const h = await bunkerOn(relay);
    const before = await h.ctx.db.grants.count();
    const r = await h.admin('accept_nostrconnect', { uri });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(await h.ctx.db.grants.count()).toBe(before);
    expect(await h.ctx.db.bunkerClients.count()).toBe(0);
  });
});
