// docs/THREATS.md #16: no decrypt runs before the person allows it. Spies sit on the decrypt
// functions themselves (and on NIP-44's key agreement, which needs the secret key), so any code
// path that decrypts early — in the router, the guard, the prompt view or the operation's
// preparation — is counted, whatever it is called from.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import * as nip04 from 'nostr-tools/nip04';
import * as nip44 from 'nostr-tools/nip44';
import type { Method } from '../shared/methods.ts';
import { waitFor } from '../test/fixtures.ts';
import { code, PW, SITE, waitPending, withAccount, type AccountHarness } from '../test/background.ts';

vi.mock('nostr-tools/nip04', async (original) => {
  const real = await original<typeof import('nostr-tools/nip04')>();
  return { ...real, decrypt: vi.fn(real.decrypt) };
});
vi.mock('nostr-tools/nip44', async (original) => {
  const real = await original<typeof import('nostr-tools/nip44')>();
  return { ...real, decrypt: vi.fn(real.decrypt), getConversationKey: vi.fn(real.getConversationKey) };
});

const PLAINTEXT = 'meet at noon, the usual place';
const peerSecret = generateSecretKey();
const peer = getPublicKey(peerSecret);

/** Counts of each spied function since the last reset. */
const calls = () => ({
  nip04_decrypt: vi.mocked(nip04.decrypt).mock.calls.length,
  nip44_decrypt: vi.mocked(nip44.decrypt).mock.calls.length,
  nip44_key: vi.mocked(nip44.getConversationKey).mock.calls.length,
});
const NONE = { nip04_decrypt: 0, nip44_decrypt: 0, nip44_key: 0 };

/** What a site asks to decrypt: a message from `peer` to the account, made here (then the spies are reset). */
function ciphertextFor(method: Method, pubkey: string): string {
  const c = method === 'nip04_decrypt' ? nip04.encrypt(peerSecret, pubkey, PLAINTEXT) : nip44.encrypt(PLAINTEXT, nip44.getConversationKey(peerSecret, pubkey));
  vi.clearAllMocks();
  return c;
}

const METHODS = [
  { method: 'nip04_decrypt' as const, afterAllow: { ...NONE, nip04_decrypt: 1 } },
  { method: 'nip44_decrypt' as const, afterAllow: { ...NONE, nip44_decrypt: 1, nip44_key: 1 } },
];

async function ask(method: Method, setup: Parameters<typeof withAccount>[0] = {}): Promise<{ h: AccountHarness; reply: ReturnType<AccountHarness['nip07']> }> {
  const h = await withAccount(setup);
  const ciphertext = ciphertextFor(method, h.account.pubkey);
  return { h, reply: h.nip07(SITE, method, { pubkey: peer, ciphertext }) };
}

beforeEach(() => vi.clearAllMocks());

describe.each(METHODS)('$method: no decrypt before approval (docs/THREATS.md #16)', ({ method, afterAllow }) => {
  it('none while the prompt waits; exactly one after Allow, with the right plaintext', async () => {
    const { h, reply } = await ask(method);
    const [pending] = await waitPending(h, 1);
    expect(calls()).toEqual(NONE);
    // Listing and reading the prompt (what a prompt page does) decrypts nothing either.
    await h.ok('get_status');
    expect(calls()).toEqual(NONE);

    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'allow' });
    const r = await reply;
    expect(r).toEqual({ ok: true, result: PLAINTEXT });
    expect(calls()).toEqual(afterAllow);
  });

  it('none after Deny', async () => {
    const { h, reply } = await ask(method);
    const [pending] = await waitPending(h, 1);
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'deny' });
    expect(code(await reply)).toBe('denied');
    expect(calls()).toEqual(NONE);
  });

  it('none after the prompt times out', async () => {
    const { h, reply } = await ask(method, { promptTimeoutMs: 400 });
    await waitPending(h, 1);
    expect(calls()).toEqual(NONE);
    expect(code(await reply)).toBe('timeout');
    expect(await h.pending()).toEqual([]);
    expect(calls()).toEqual(NONE);
  });

  it('none while locked, none after giving up on the unlock; one once unlocked and allowed', async () => {
    const h = await withAccount();
    const ciphertext = ciphertextFor(method, h.account.pubkey);
    await h.ok('lock');
    const first = h.nip07(SITE, method, { pubkey: peer, ciphertext });
    const [unlock] = await waitPending(h, 1);
    expect(calls()).toEqual(NONE);
    await h.ok('resolve_prompt', { promptId: unlock!.promptId, decision: 'deny' });
    expect(code(await first)).toBe('locked');
    expect(calls()).toEqual(NONE);

    // Unlocking alone decrypts nothing: the request still waits for its own answer.
    const second = h.nip07(SITE, method, { pubkey: peer, ciphertext });
    const [again] = await waitPending(h, 1);
    await h.ok('unlock', { password: PW });
    expect(calls()).toEqual(NONE);
    // The unlock wait gives way to the consent prompt, a new prompt id.
    const consent = await waitFor(async () => (await h.pending()).find((p) => p.promptId !== again!.promptId), 3_000, 'the consent prompt');
    expect(calls()).toEqual(NONE);
    const promptId = consent.promptId;
    await h.ok('resolve_prompt', { promptId, decision: 'allow' });
    expect(await second).toEqual({ ok: true, result: PLAINTEXT });
    expect(calls()).toEqual(afterAllow);
  });
});
