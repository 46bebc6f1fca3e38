// Nothing about the key or the vault leaks before consent (docs/THREATS.md #28): for a request
// policy does not allow, what a page sees is the same whatever event.pubkey names and whatever the
// lock state; a paused site is refused at once and never opens an unlock window.
import { describe, expect, it, vi } from 'vitest';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import type { WireResponse } from '../shared/errors.ts';
import { code, PW, SITE, withAccount, type AccountHarness } from '../test/background.ts';
import { waitFor } from '../test/fixtures.ts';

vi.setConfig({ testTimeout: 20_000 });

type Site = 'ungranted' | 'granted' | 'paused';
type Guess = 'right' | 'wrong' | 'none';

/** How a request ends: its code, or "asked → <code>" when it waited on a prompt that was then refused. */
async function outcome(h: AccountHarness, p: Promise<WireResponse>): Promise<string> {
  let done: WireResponse | undefined;
  void p.then((r) => (done = r));
  const state = await waitFor(async () => (done ? 'done' : (await h.pending()).length ? 'asked' : null), 3_000, 'an answer or a prompt');
  if (state === 'done') return code(done!);
  const [prompt] = await h.pending();
  await h.ok('resolve_prompt', { promptId: prompt!.promptId, decision: 'deny' });
  return `asked → ${code(await p)}`;
}

async function run(site: Site, locked: boolean, guess: Guess): Promise<string> {
  const h = await withAccount();
  if (site !== 'ungranted') await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', kind: 1 }] });
  if (site === 'paused') await h.ok('pause_site', { origin: SITE });
  if (locked) await h.ok('lock');
  const pubkey = guess === 'right' ? h.account.pubkey : guess === 'wrong' ? getPublicKey(generateSecretKey()) : undefined;
  return outcome(h, h.sign(SITE, pubkey === undefined ? {} : { pubkey }));
}

describe('decide first: the same answer whatever the page guesses', () => {
  const table: [Site, boolean, string][] = [
    // Not allowed: every guess (and no guess) looks the same.
    ['ungranted', false, 'asked → denied'],
    ['ungranted', true, 'asked → locked'],
    ['granted', true, 'asked → locked'],
    ['paused', false, 'denied'],
    // Paused and locked: refused at once, no unlock window.
    ['paused', true, 'denied'],
  ];
  it.each(table)('%s site, locked %s: %s for the right, a wrong and no pubkey', async (site, locked, expected) => {
    for (const guess of ['right', 'wrong', 'none'] as const) expect(await run(site, locked, guess), guess).toBe(expected);
  });

  it('only an allowed request checks the pubkey: the right one (or none) signs, a wrong one is invalid_request', async () => {
    expect(await run('granted', false, 'right')).toBe('ok');
    expect(await run('granted', false, 'none')).toBe('ok');
    expect(await run('granted', false, 'wrong')).toBe('invalid_request');
  });

  it('an approved request with a wrong pubkey is refused after the approval, and nothing is signed', async () => {
    const h = await withAccount();
    const p = h.sign(SITE, { pubkey: getPublicKey(generateSecretKey()) });
    const [prompt] = await waitFor(async () => {
      const list = await h.pending();
      return list.length ? list : null;
    });
    await h.ok('resolve_prompt', { promptId: prompt!.promptId, decision: 'allow' });
    expect(code(await p)).toBe('invalid_request');
    expect(await h.ctx.db.signingLog.count()).toBe(0);
  });

  it('a paused site asking while locked is refused without a prompt, and unlocking is not needed to see it', async () => {
    const h = await withAccount();
    await h.ok('pause_site', { origin: SITE });
    await h.ok('lock');
    for (const method of ['get_public_key', 'nip44_encrypt'] as const) {
      const params = method === 'get_public_key' ? {} : { pubkey: getPublicKey(generateSecretKey()), plaintext: 'hi' };
      expect(code(await h.nip07(SITE, method, params))).toBe('denied');
    }
    expect(await h.pending()).toEqual([]);
    await h.ok('unlock', { password: PW });
    expect(code(await h.sign(SITE))).toBe('denied');
  });
});
