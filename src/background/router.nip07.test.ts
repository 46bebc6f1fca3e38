// NIP-07 requests through the router: the origin is the sender's, and events and payloads are checked before anything else.
import { describe, expect, it, vi } from 'vitest';
import { generateSecretKey, getPublicKey, verifyEvent } from 'nostr-tools/pure';
import * as nip44 from 'nostr-tools/nip44';
import type { SenderInfo } from './sender.ts';
import type { Method } from '../shared/methods.ts';
import { ALL_METHODS_RULES, code, logCount, OPTIONS_PAGE, OTHER, signed, SITE, siteSender, snap, T0, waitPending, withAccount } from '../test/background.ts';

// Many tests drive dozens of IndexedDB transactions: leave room for a loaded CI machine.
vi.setConfig({ testTimeout: 20_000 });

describe('nip07: the origin comes from the sender only', () => {
  it('a message claiming another origin gets nothing of that origin', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    const attacker = siteSender('https://evil.example');
    const claims = [
      { type: 'nip07', id: crypto.randomUUID(), method: 'sign_event', params: { event: { kind: 1, content: 'x', tags: [] } }, origin: SITE },
      { type: 'nip07', id: crypto.randomUUID(), method: 'sign_event', params: { event: { kind: 1, content: 'x', tags: [] }, origin: SITE } },
      { type: 'nip07', id: crypto.randomUUID(), method: 'get_public_key', params: { origin: SITE, host: 'site.example' } },
    ];
    for (const message of claims) {
      const r = await h.route(message, attacker);
      expect(r.ok).toBe(false);
    }
    // A claim the schema lets through (an extra field on the event) is simply ignored: the request is
    // judged as evil.example's, so it asks instead of using site.example's grant.
    const p = h.route(
      { type: 'nip07', id: crypto.randomUUID(), method: 'sign_event', params: { event: { kind: 1, content: 'x', tags: [], origin: SITE } } },
      attacker,
    );
    const [prompt] = await waitPending(h, 1);
    expect(prompt!.origin).toBe('https://evil.example');
    await h.ok('resolve_prompt', { promptId: prompt!.promptId, decision: 'deny' });
    expect(code(await p)).toBe('denied');
    expect(await logCount(h)).toBe(0);
  });

  it.each([
    ['http instead of https', 'http://site.example'],
    ['another port', 'https://site.example:8443'],
    ['a subdomain', 'https://www.site.example'],
    ['a parent-domain lookalike', 'https://site.example.evil'],
  ])('%s does not share the grant', async (_name, origin) => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    expect(code(await h.sign(SITE))).toBe('ok');
    const p = h.sign(origin);
    const [prompt] = await waitPending(h, 1);
    expect(prompt).toMatchObject({ origin, method: 'sign_event', kind: 1 });
    await h.ok('resolve_prompt', { promptId: prompt!.promptId, decision: 'deny' });
    expect(code(await p)).toBe('denied');
    expect(await logCount(h)).toBe(1);
  });

  it('a cross-origin iframe inside a granted site is judged by its own origin; the prompt names the embedding site', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    const frame: SenderInfo = { id: 'abc', url: 'https://widget.example/embed', origin: 'https://widget.example', frameId: 12, tab: { id: 3, url: `${SITE}/page` } };
    const p = h.sign(frame);
    const [pending] = await waitPending(h, 1);
    expect(pending!.origin).toBe('https://widget.example');
    expect(await h.ok('get_prompt', { promptId: pending!.promptId })).toMatchObject({ origin: 'https://widget.example', topOrigin: SITE, method: 'sign_event', kind: 1 });
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'deny' });
    expect(code(await p)).toBe('denied');
    // The granted site's own iframe inside another site keeps its own grant.
    const own: SenderInfo = { url: `${SITE}/frame`, origin: SITE, frameId: 4, tab: { id: 3, url: 'https://elsewhere.example/' } };
    expect(code(await h.sign(own))).toBe('ok');
  });

  it.each<[string, SenderInfo]>([
    ['sandboxed frame of the granted site (origin "null", http URL)', { id: 'abc', url: `${SITE}/sandboxed`, origin: 'null', frameId: 3, tab: { id: 1, url: `${SITE}/` } }],
    ['about:srcdoc frame', { id: 'abc', url: 'about:srcdoc', origin: 'null', frameId: 3, tab: { id: 1, url: `${SITE}/` } }],
    ['about:srcdoc without sender.origin', { url: 'about:srcdoc', frameId: 3, tab: { id: 1, url: `${SITE}/` } }],
    ['data: frame', { url: 'data:text/html,<b>x</b>', frameId: 3 }],
    ['origin disagrees with URL', { url: `${SITE}/x`, origin: OTHER }],
    ['no URL', { id: 'abc', tab: { id: 1, url: `${SITE}/` } }],
    ['extension page', { url: OPTIONS_PAGE }],
  ])('%s is refused and nothing is signed', async (_name, sender) => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    const before = await snap(h);
    for (const method of ['get_public_key', 'sign_event'] as const) {
      const r = await h.route({ type: 'nip07', id: crypto.randomUUID(), method, params: method === 'sign_event' ? { event: { kind: 1, content: 'x', tags: [] } } : {} }, sender);
      expect(r).toEqual({ ok: false, error: { code: 'denied', message: expect.any(String) } });
    }
    expect(await snap(h)).toEqual(before);
    expect(await h.pending()).toEqual([]);
  });
});

describe('nip07: events', () => {
  const bigTags = Array.from({ length: 2_001 }, () => ['t', 'x']);
  const badEvents: [string, unknown][] = [
    ['event missing', undefined],
    ['event null', null],
    ['event a string', '{"kind":1}'],
    ['kind missing', { content: '', tags: [] }],
    ['kind negative', { kind: -1, content: '', tags: [] }],
    ['kind fractional', { kind: 1.5, content: '', tags: [] }],
    ['kind too large', { kind: 65_536, content: '', tags: [] }],
    ['kind a string', { kind: '1', content: '', tags: [] }],
    ['content missing', { kind: 1, tags: [] }],
    ['content a number', { kind: 1, content: 5, tags: [] }],
    ['tags missing', { kind: 1, content: '' }],
    ['tags not an array', { kind: 1, content: '', tags: 't' }],
    ['tag not an array', { kind: 1, content: '', tags: ['e'] }],
    ['tag with a number', { kind: 1, content: '', tags: [['e', 1]] }],
    ['tag with null', { kind: 1, content: '', tags: [['e', null]] }],
    ['too many tags', { kind: 1, content: '', tags: bigTags }],
    ['created_at negative', { kind: 1, content: '', tags: [], created_at: -1 }],
    ['created_at fractional', { kind: 1, content: '', tags: [], created_at: 1.5 }],
    ['created_at beyond 2^32', { kind: 1, content: '', tags: [], created_at: 2 ** 32 }],
    ['created_at a string', { kind: 1, content: '', tags: [], created_at: '1700000000' }],
    ['pubkey uppercase', { kind: 1, content: '', tags: [], pubkey: 'A'.repeat(64) }],
    ['pubkey short', { kind: 1, content: '', tags: [], pubkey: 'a'.repeat(63) }],
    ['content over the size limit', { kind: 1, content: 'x'.repeat(130 * 1024), tags: [] }],
  ];

  it.each(badEvents)('%s → invalid_request, no prompt, nothing logged', async (_name, event) => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    const before = await snap(h);
    const r = await h.nip07(SITE, 'sign_event', event === undefined ? {} : { event });
    expect(code(r)).toBe('invalid_request');
    expect(await snap(h)).toEqual(before);
    expect(h.ctx.prompts.list()).toEqual([]);
  });

  it('malformed requests of the other methods → invalid_request, nothing logged', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    const peer = getPublicKey(generateSecretKey());
    const before = await snap(h);
    const cases: [Method, unknown][] = [
      ['get_public_key', { extra: 1 }],
      ['nip04_encrypt', { pubkey: peer }],
      ['nip04_encrypt', { pubkey: 'xyz', plaintext: 'a' }],
      ['nip44_encrypt', { pubkey: peer, plaintext: 'x'.repeat(65_536) }],
      ['nip44_decrypt', { pubkey: peer, ciphertext: '' }],
      ['nip04_decrypt', { pubkey: peer, plaintext: 'not a ciphertext field' }],
      ['sign_event', { event: { kind: 1, content: '', tags: [] }, extra: true }],
    ];
    for (const [method, params] of cases) expect(code(await h.nip07(SITE, method, params)), method).toBe('invalid_request');
    for (const message of [
      { type: 'nip07', id: 'short', method: 'get_public_key', params: {} },
      { type: 'nip07', id: crypto.randomUUID(), method: 'getPublicKey', params: {} },
      { type: 'nip07', id: crypto.randomUUID(), method: 'get_public_key', params: {}, extra: 1 },
      { type: 'nip07', method: 'get_public_key', params: {} },
    ]) {
      expect(code(await h.route(message, siteSender(SITE)))).toBe('invalid_request');
    }
    expect(await snap(h)).toEqual(before);
  });

  // Malformed input is refused with no prompt: the user is never asked about a request that could
  // not succeed. A ciphertext that cannot be a NIP-04/NIP-44 payload, or a pubkey that is not a
  // curve point, is checkable without the key.
  const malformedCrypto: [string, Method, Record<string, string>][] = [
    ['nip44_decrypt of a non-base64 ciphertext', 'nip44_decrypt', { ciphertext: '!!! not base64 !!!' }],
    ['nip04_decrypt of a ciphertext without ?iv=', 'nip04_decrypt', { ciphertext: 'aGVsbG8=' }],
    ['nip44_encrypt to a pubkey that is not on the curve', 'nip44_encrypt', { pubkey: 'f'.repeat(64), plaintext: 'x' }],
  ];
  for (const [name, method, extra] of malformedCrypto) {
    it(`${name} → invalid_request without a prompt`, async () => {
      const h = await withAccount({ promptTimeoutMs: 50 });
      const r = await h.nip07(SITE, method, { pubkey: getPublicKey(generateSecretKey()), ...extra });
      expect(code(r)).toBe('invalid_request');
    });
  }

  // The limit is in UTF-8 bytes, not UTF-16 code units: 50,000 "€" are 150,000 bytes.
  it('an event over the documented size in UTF-8 bytes is refused', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    const r = await h.sign(SITE, { content: '€'.repeat(50_000) });
    expect(code(r)).toBe('invalid_request');
  });

  it('an event whose pubkey is another key → invalid_request, nothing signed (the activity log says why)', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    const before = await snap(h);
    const r = await h.sign(SITE, { pubkey: getPublicKey(generateSecretKey()) });
    expect(code(r)).toBe('invalid_request');
    const after = await snap(h);
    expect({ ...after, activity: [] }).toEqual({ ...before, activity: [] });
    expect(after.activity).toEqual([expect.objectContaining({ outcome: 'invalid_request', method: 'sign_event' })]);
    // Its own pubkey is fine.
    expect(signed(await h.sign(SITE, { pubkey: h.account!.pubkey })).pubkey).toBe(h.account!.pubkey);
  });

  it('stale id/sig are ignored: the background computes id, pubkey and signature; windows use its own clock', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    const ev = signed(await h.sign(SITE, { id: 'f'.repeat(64), sig: 'bogus', created_at: 0, tags: [['p', 'x']] }));
    expect(verifyEvent(ev)).toBe(true);
    expect(ev.id).not.toBe('f'.repeat(64));
    expect(ev.pubkey).toBe(h.account!.pubkey);
    expect(ev).toMatchObject({ kind: 1, content: 'hello', tags: [['p', 'x']], created_at: 0 });
    const noTime = signed(await h.sign(SITE));
    expect(noTime.created_at).toBe(Math.floor(T0 / 1000));
    // The page's created_at does not decide which window an entry counts in.
    const log = await h.ctx.db.signingLog.toArray();
    expect(log.map((e) => e.createdAt)).toEqual([T0, T0]);
    expect(log[0]!.eventId).toBe(ev.id);
  });

  it('encrypt and decrypt round-trip with a peer', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: ALL_METHODS_RULES });
    const peerSk = generateSecretKey();
    const peer = getPublicKey(peerSk);
    for (const [enc, dec] of [
      ['nip44_encrypt', 'nip44_decrypt'],
      ['nip04_encrypt', 'nip04_decrypt'],
    ] as const) {
      const c = await h.nip07(SITE, enc, { pubkey: peer, plaintext: 'secret message' });
      if (!c.ok) throw new Error(c.error.message);
      expect(await h.nip07(SITE, dec, { pubkey: peer, ciphertext: c.result })).toEqual({ ok: true, result: 'secret message' });
    }
    // And it interoperates: the peer decrypts what we encrypted.
    const c = await h.nip07(SITE, 'nip44_encrypt', { pubkey: peer, plaintext: 'hi' });
    if (!c.ok) throw new Error(c.error.message);
    expect(nip44.decrypt(c.result as string, nip44.getConversationKey(peerSk, h.account!.pubkey))).toBe('hi');
    // A garbage ciphertext is refused without leaking anything.
    const before = await logCount(h);
    const bad = await h.nip07(SITE, 'nip44_decrypt', { pubkey: peer, ciphertext: 'AAAA' });
    expect(code(bad)).toBe('invalid_request');
    expect(await logCount(h)).toBe(before); // a failed decrypt is not logged as allowed
  });
});
