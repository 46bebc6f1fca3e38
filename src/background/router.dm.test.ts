// NIP-17-aware decrypts through the whole background, with real gift wraps (nostr-tools nip59)
// for the account's key: a gift-wrap rule opens wraps that hold a seal and nothing else, peers
// apply to the seal's sender, a DM cap counts messages, and the prompt asks once per sender.
import { describe, expect, it } from 'vitest';
import { generateSecretKey, getPublicKey, type NostrEvent } from 'nostr-tools/pure';
import * as nip44 from 'nostr-tools/nip44';
import * as nip59 from 'nostr-tools/nip59';
import { askedThen, code, SITE, waitPending, withAccount, type AccountHarness, type Any } from '../test/background.ts';
import { waitFor } from '../test/fixtures.ts';

const person = () => {
  const sk = generateSecretKey();
  return { sk, pk: getPublicKey(sk) };
};

function wrapFor(h: AccountHarness, from: { sk: Uint8Array }, text: string): NostrEvent {
  return nip59.wrapEvent({ kind: 14, content: text, tags: [['p', h.account.pubkey]] }, from.sk, h.account.pubkey);
}

/** The page's two calls for one message: open the wrap, then the seal. */
async function read(h: AccountHarness, wrap: NostrEvent): Promise<string> {
  const first = await h.nip07(SITE, 'nip44_decrypt', { pubkey: wrap.pubkey, ciphertext: wrap.content });
  if (!first.ok) return `wrap: ${first.error.code}`;
  const seal = JSON.parse(first.result as string) as NostrEvent;
  const second = await h.nip07(SITE, 'nip44_decrypt', { pubkey: seal.pubkey, ciphertext: seal.content });
  if (!second.ok) return `seal: ${second.error.code}`;
  return (JSON.parse(second.result as string) as { content: string }).content;
}

describe('gift-wrap rules', () => {
  it('open a wrap holding a seal and its seal; logged as one message (kind 1059) per wrap, by its sender', async () => {
    const h = await withAccount();
    const alice = person();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'nip44_decrypt', giftWraps: true }] });
    expect(await read(h, wrapFor(h, alice, 'hi from alice'))).toBe('hi from alice');
    const log = await h.ctx.db.signingLog.toArray();
    expect(log.map((e) => [e.method, e.kind ?? null, e.peer])).toEqual([
      ['nip44_decrypt', 1059, alice.pk],
      ['nip44_decrypt', null, alice.pk],
    ]);
  });

  it('a non-seal plaintext under the gift-wrap rule asks, and a refusal never releases it', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'nip44_decrypt', giftWraps: true }] });
    const stranger = person();
    const ciphertext = nip44.encrypt('my private note', nip44.getConversationKey(stranger.sk, h.account.pubkey));
    const p = h.nip07(SITE, 'nip44_decrypt', { pubkey: stranger.pk, ciphertext });
    expect(await askedThen(h, p)).toBe('asked → denied');
    const r = await p;
    expect(JSON.stringify(r)).not.toContain('my private note');
    expect(await h.ctx.db.signingLog.count()).toBe(0);
  });

  it('peers on a gift-wrap rule apply to the seal sender, not the one-time key', async () => {
    const h = await withAccount();
    const alice = person();
    const bob = person();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'nip44_decrypt', giftWraps: true, peers: [alice.pk] }] });
    expect(await read(h, wrapFor(h, alice, 'a'))).toBe('a');
    const bobs = wrapFor(h, bob, 'b');
    expect(await askedThen(h, h.nip07(SITE, 'nip44_decrypt', { pubkey: bobs.pubkey, ciphertext: bobs.content }))).toBe('asked → denied');
  });

  it('a DM cap counts messages, not layers', async () => {
    const h = await withAccount();
    const alice = person();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'nip44_decrypt', giftWraps: true, maxUsageCount: 2, windowSeconds: 86_400 }] });
    expect(await read(h, wrapFor(h, alice, '1'))).toBe('1');
    expect(await read(h, wrapFor(h, alice, '2'))).toBe('2');
    expect(await read(h, wrapFor(h, alice, '3'))).toBe('wrap: cap_exceeded');
    const [g] = (await h.ok('get_policies', { origin: SITE })).grants;
    expect(g.rules[0].used).toBe(2);
  });
});

describe('the prompt for gift wraps', () => {
  it('groups waiting wraps by sender; "always for this person" releases that sender\'s wraps at once and only those', async () => {
    const h = await withAccount();
    const alice = person();
    const bob = person();
    const wraps = [wrapFor(h, alice, 'a1'), wrapFor(h, alice, 'a2'), wrapFor(h, alice, 'a3'), wrapFor(h, bob, 'b1'), wrapFor(h, bob, 'b2')];
    const calls = wraps.map((w) => h.nip07(SITE, 'nip44_decrypt', { pubkey: w.pubkey, ciphertext: w.content }));
    await waitPending(h, 5);
    const { prompts } = (await h.ok('list_prompts', {})) as { prompts: Any[] };
    const groups = new Set(prompts.map((p) => p.group));
    expect(groups.size).toBe(2);
    const fromAlice = prompts.filter((p) => p.details.dm?.sender === alice.pk);
    expect(fromAlice).toHaveLength(3);
    expect(fromAlice[0].details.dm).toEqual({ layer: 'wrap', sender: alice.pk });
    // A scope the request cannot carry is refused and the prompt keeps waiting.
    expect(code(await h.admin('resolve_prompt', { promptId: fromAlice[0].promptId, decision: 'allow', scope: 'relay' }))).toBe('invalid_request');
    expect(await h.pending()).toHaveLength(5);
    await h.ok('resolve_prompt', { promptId: fromAlice[0].promptId, decision: 'allow', scope: 'peer', durationSeconds: null });
    const done = await Promise.all(calls.slice(0, 3));
    expect(done.every((r) => r.ok)).toBe(true);
    await waitFor(async () => (await h.pending()).length === 2, 3_000, "only bob's two waiting");
    const [g] = (await h.ok('get_policies', { origin: SITE })).grants;
    expect(g.rules).toEqual([expect.objectContaining({ method: 'nip44_decrypt', giftWraps: true, peers: [alice.pk] })]);
    // The seal layer of alice's messages is covered by the same rule: no new prompt.
    expect(await read(h, wrapFor(h, alice, 'a4'))).toBe('a4');
    for (const p of await h.pending()) await h.ok('resolve_prompt', { promptId: p.promptId, decision: 'deny' });
    expect((await Promise.all(calls.slice(3))).map(code)).toEqual(['denied', 'denied']);
  });

  it('"always for this relay" and "always for this URL" remember the target', async () => {
    const h = await withAccount();
    const auth = (relay: string) => h.sign(SITE, { kind: 22242, content: '', tags: [['relay', relay], ['challenge', 'c']] });
    const first = auth('wss://relay.one');
    const [p] = await waitPending(h, 1);
    await h.ok('resolve_prompt', { promptId: p!.promptId, decision: 'allow', scope: 'relay' });
    expect(code(await first)).toBe('ok');
    expect(code(await auth('wss://relay.one/'))).toBe('ok');
    expect(await askedThen(h, auth('wss://relay.two'))).toBe('asked → denied');

    const http = (u: string, m: string) => h.sign(SITE, { kind: 27235, content: '', tags: [['u', u], ['method', m]] });
    const up = http('https://api.example/upload', 'POST');
    const [q] = await waitPending(h, 1);
    await h.ok('resolve_prompt', { promptId: q!.promptId, decision: 'allow', scope: 'url' });
    expect(code(await up)).toBe('ok');
    expect(code(await http('https://api.example/upload', 'POST'))).toBe('ok');
    expect(await askedThen(h, http('https://api.example/upload', 'DELETE'))).toBe('asked → denied');
    expect(await askedThen(h, http('https://api.example/other', 'POST'))).toBe('asked → denied');
    const rules = (await h.ok('get_policies', { origin: SITE })).grants[0].rules;
    expect(rules.map((r: Any) => [r.kind, r.relays, r.urls, r.httpMethods])).toEqual([
      [22242, ['wss://relay.one'], null, null],
      [27235, null, ['https://api.example/upload'], ['POST']],
    ]);
  });
});
