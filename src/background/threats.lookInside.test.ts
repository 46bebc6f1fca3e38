// docs/THREATS.md #51: the NIP-17 look-inside. Before deciding on a nip44_decrypt long enough to
// hold a message layer, the background decrypts it to learn which layer and whose message it is.
// Nothing of the plaintext goes anywhere: not to the page (until allowed), not to the prompt, the
// status, the activity log, storage.session or the database. Spies count the decrypts.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import * as nip44 from 'nostr-tools/nip44';
import * as nip59 from 'nostr-tools/nip59';
import { code, SITE, snap, waitPending, withAccount } from '../test/background.ts';
import { MIN_DM_PAYLOAD_CHARS } from './giftWrapTarget.ts';

vi.mock('nostr-tools/nip44', async (original) => {
  const real = await original<typeof import('nostr-tools/nip44')>();
  return { ...real, decrypt: vi.fn(real.decrypt) };
});
const decrypts = () => vi.mocked(nip44.decrypt).mock.calls.length;
beforeEach(() => vi.clearAllMocks());

const peerSk = generateSecretKey();
const peer = getPublicKey(peerSk);
const SECRET = `the long private note that must stay inside the background: ${'x'.repeat(200)}`;

describe('the look-inside before the decision (docs/THREATS.md #51)', () => {
  it('a payload too short to hold a message layer is never decrypted early; the shortest rumor is not that short', () => {
    const short = nip44.encrypt('x'.repeat(64), nip44.getConversationKey(peerSk, peer));
    expect(short.length).toBeLessThan(MIN_DM_PAYLOAD_CHARS);
    const rumor = JSON.stringify({ kind: 14, pubkey: peer, content: '', tags: [], created_at: 0 });
    expect(nip44.encrypt(rumor, nip44.getConversationKey(peerSk, peer)).length).toBeGreaterThanOrEqual(MIN_DM_PAYLOAD_CHARS);
  });

  it('a long non-message plaintext: one decrypt to look, then it asks; its text is nowhere, and a deny releases nothing', async () => {
    const h = await withAccount();
    const ciphertext = nip44.encrypt(SECRET, nip44.getConversationKey(peerSk, h.account.pubkey));
    vi.clearAllMocks();
    const reply = h.nip07(SITE, 'nip44_decrypt', { pubkey: peer, ciphertext });
    const [pending] = await waitPending(h, 1);
    expect(decrypts()).toBe(1);
    const seen = JSON.stringify([await h.ok('list_prompts', {}), await h.ok('get_status'), [...h.session.data.entries()], await snap(h)]);
    expect(seen).not.toContain('long private note');
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'deny' });
    const r = await reply;
    expect(code(r)).toBe('denied');
    expect(JSON.stringify(r)).not.toContain('long private note');
    expect(decrypts()).toBe(1);
  });

  it('a gift wrap: the prompt names the sender, never the seal; storage.session holds the sender only', async () => {
    const h = await withAccount();
    const sender = generateSecretKey();
    const wrap = nip59.wrapEvent({ kind: 14, content: 'a secret message', tags: [['p', h.account.pubkey]] }, sender, h.account.pubkey);
    const reply = h.nip07(SITE, 'nip44_decrypt', { pubkey: wrap.pubkey, ciphertext: wrap.content });
    const [pending] = await waitPending(h, 1);
    const { prompts } = await h.ok('list_prompts', {});
    expect(prompts[0].details).toEqual({ type: 'peer', pubkey: wrap.pubkey, dm: { layer: 'wrap', sender: getPublicKey(sender) } });
    const seen = JSON.stringify([prompts, [...h.session.data.entries()], await snap(h)]);
    // The seal's content and signature (only in the decrypted text) appear nowhere.
    expect(seen).not.toMatch(/"sig"|"kind":13/);
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'deny' });
    expect(code(await reply)).toBe('denied');
  });
});
