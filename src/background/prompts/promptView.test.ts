// What the prompt is told (docs/THREATS.md #43): the account that would sign, an encrypt's text —
// which never reaches storage.session — and never a decrypt's.
import { describe, expect, it } from 'vitest';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { npubEncode } from 'nostr-tools/nip19';
import * as nip44 from 'nostr-tools/nip44';
import { code, SITE, waitPending, withAccount } from '../../test/background.ts';

describe('the prompt view', () => {
  it('names the signing account by label and npub', async () => {
    const h = await withAccount();
    const p = h.sign(SITE);
    const [pending] = await waitPending(h, 1);
    const view = await h.ok('get_prompt', { promptId: pending!.promptId });
    expect(view.account).toEqual({ label: 'Main', npub: npubEncode(h.account.pubkey) });
    const { prompts } = await h.ok('list_prompts', {});
    expect(prompts[0].account).toEqual({ label: 'Main', npub: npubEncode(h.account.pubkey) });
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'deny' });
    expect(code(await p)).toBe('denied');
  });

  it('names the active account when there are two', async () => {
    const h = await withAccount();
    const second = await h.ok('create_account', { password: 'test password', label: 'Second' });
    await h.ok('select_account', { accountId: second.accountId });
    const p = h.sign(SITE);
    const [pending] = await waitPending(h, 1);
    const view = await h.ok('get_prompt', { promptId: pending!.promptId });
    expect(view.account).toEqual({ label: 'Second', npub: npubEncode(second.pubkey) });
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'deny' });
    await p;
  });

  it.each(['nip04_encrypt', 'nip44_encrypt'] as const)('%s shows the text to be encrypted; the session mirror holds none of it', async (method) => {
    const h = await withAccount();
    const secret = `meet at dawn \u202e ${method}`;
    const p = h.nip07(SITE, method, { pubkey: getPublicKey(generateSecretKey()), plaintext: secret });
    const [pending] = await waitPending(h, 1);
    const view = await h.ok('get_prompt', { promptId: pending!.promptId });
    expect(view.details).toMatchObject({ type: 'peer', plaintext: secret });
    // The mirror is written behind the change: wait until it lists the request, then look.
    const saved = () => h.session.data.get('prompts.pending') as { details: unknown }[] | undefined;
    await expect.poll(() => saved()?.length).toBe(1);
    expect(JSON.stringify([...h.session.data.values()])).not.toContain('meet at dawn');
    expect(saved()![0]!.details).toEqual({ type: 'peer', pubkey: view.details.pubkey });
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'deny' });
    expect(code(await p)).toBe('denied');
  });

  it('a decrypt shows no plaintext', async () => {
    const h = await withAccount();
    const peerSk = generateSecretKey();
    const ciphertext = nip44.encrypt('top secret', nip44.getConversationKey(peerSk, h.account.pubkey));
    const p = h.nip07(SITE, 'nip44_decrypt', { pubkey: getPublicKey(peerSk), ciphertext });
    const [pending] = await waitPending(h, 1);
    const view = await h.ok('get_prompt', { promptId: pending!.promptId });
    expect(view.details).toEqual({ type: 'peer', pubkey: getPublicKey(peerSk) });
    expect(JSON.stringify(view)).not.toContain('top secret');
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'deny' });
    await p;
  });
});
