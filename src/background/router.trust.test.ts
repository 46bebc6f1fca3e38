// Nothing about the key or the vault leaks before consent (docs/THREATS.md #28): for a request
// policy does not allow, what a page sees is the same whatever event.pubkey names and whatever the
// lock state; a paused site is refused at once and never opens an unlock window.
import { describe, expect, it, vi } from 'vitest';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import * as nip44 from 'nostr-tools/nip44';
import { askedThen, code, makeHarness, PW, SITE, siteSender, withAccount, type AccountHarness, type Any } from '../test/background.ts';
import { waitFor } from '../test/fixtures.ts';

vi.setConfig({ testTimeout: 20_000 });

type Site = 'ungranted' | 'granted' | 'paused';
type Guess = 'right' | 'wrong' | 'none';

async function run(site: Site, locked: boolean, guess: Guess): Promise<string> {
  const h = await withAccount();
  if (site !== 'ungranted') await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', kind: 1 }] });
  if (site === 'paused') await h.ok('pause_site', { origin: SITE });
  if (locked) await h.ok('lock');
  const pubkey = guess === 'right' ? h.account.pubkey : guess === 'wrong' ? getPublicKey(generateSecretKey()) : undefined;
  return askedThen(h, h.sign(SITE, pubkey === undefined ? {} : { pubkey }));
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

describe('a bulk answer settles only what the person saw', () => {
  const peer = () => {
    const sk = generateSecretKey();
    return { sk, pubkey: getPublicKey(sk) };
  };
  const decrypt = (h: AccountHarness, from: { sk: Uint8Array; pubkey: string }, text: string) =>
    h.nip07(SITE, 'nip44_decrypt', { pubkey: from.pubkey, ciphertext: nip44.encrypt(text, nip44.getConversationKey(from.sk, h.account.pubkey)) });
  const waiting = async (h: AccountHarness, n: number) =>
    waitFor(async () => {
      const list = await h.pending();
      return list.length === n ? list : null;
    }, 3_000, `${n} waiting`);

  it('"like it" is the same conversation: a decrypt from another peer keeps waiting', async () => {
    const h = await withAccount();
    const alice = peer();
    const bob = peer();
    const calls = [decrypt(h, alice, 'a1'), decrypt(h, alice, 'a2'), decrypt(h, bob, 'b1')];
    await waiting(h, 3);
    const { prompts } = await h.ok('list_prompts');
    await h.ok('resolve_prompt', { promptId: prompts[0].promptId, decision: 'allow', applyToSimilar: true, promptIds: prompts.map((x: Any) => x.promptId) });
    expect((await calls[0]!).ok && (await calls[1]!).ok).toBe(true);
    expect((await h.pending()).map((x) => x.promptId)).toEqual([prompts[2].promptId]);
    await h.ok('resolve_prompt', { promptId: prompts[2].promptId, decision: 'deny' });
    expect(code(await calls[2]!)).toBe('denied');
  });

  it('"all from this site" leaves a request that came after the person looked, and a sensitive kind, waiting', async () => {
    const h = await withAccount();
    const alice = peer();
    const seen = [decrypt(h, alice, 'a1'), h.sign(SITE, { kind: 7 }), h.sign(SITE, { kind: 3 })];
    await waiting(h, 3);
    const { prompts } = await h.ok('list_prompts');
    expect(prompts.map((x: Any) => [x.kind, x.bulk])).toEqual([[null, true], [7, true], [3, false]]);
    const late = h.sign(SITE, { kind: 1 });
    await waiting(h, 4);
    await h.ok('resolve_prompt', { promptId: prompts[0].promptId, decision: 'allow', applyToAllFromOrigin: true, promptIds: prompts.map((x: Any) => x.promptId) });
    expect((await seen[0]!).ok && (await seen[1]!).ok).toBe(true);
    const left = await waiting(h, 2);
    expect(left.map((x) => x.kind)).toEqual([3, 1]);
    for (const x of left) await h.ok('resolve_prompt', { promptId: x.promptId, decision: 'deny' });
    expect([code(await seen[2]!), code(await late)]).toEqual(['denied', 'denied']);
  });

  it('the older form (no promptIds) covers only what waited when the answered one was first shown', async () => {
    const h = await withAccount();
    const first = h.sign(SITE, { kind: 7 });
    await waiting(h, 1);
    const { prompts } = await h.ok('list_prompts');
    h.clock.t += 1_000;
    const late = h.sign(SITE, { kind: 7 });
    await waiting(h, 2);
    await h.ok('resolve_prompt', { promptId: prompts[0].promptId, decision: 'allow', applyToSimilar: true });
    expect((await first).ok).toBe(true);
    const [left] = await waiting(h, 1);
    await h.ok('resolve_prompt', { promptId: left!.promptId, decision: 'deny' });
    expect(code(await late)).toBe('denied');
  });
});

describe('get_status.pending lists only what waits for a person', () => {
  it('requests a remembered answer sent back through the guard leave the list at once', async () => {
    const h = await withAccount();
    const a = h.sign(SITE, { kind: 7 });
    await waitFor(async () => (await h.pending()).length === 1);
    const b = h.sign(SITE, { kind: 7 });
    await waitFor(async () => (await h.pending()).length === 2);
    const [first, second] = await h.pending();
    // Hold the guard's queue so the rechecked request cannot finish while we look.
    let release!: () => void;
    void h.ctx.serial.run(() => new Promise<void>((r) => (release = r)));
    // "Always for kind 7": the second request is sent back through the guard.
    await h.ok('resolve_prompt', { promptId: first!.promptId, decision: 'allow', scope: 'kind' });
    expect(h.ctx.prompts.list().map((x) => x.promptId)).toContain(second!.promptId); // still holds its place
    expect(await h.pending()).toEqual([]);
    // The prompt page still shows it in its place, but an answer to it is refused.
    expect((await h.ok('list_prompts')).prompts.map((x: Any) => x.promptId)).toEqual([second!.promptId]);
    expect(code(await h.admin('resolve_prompt', { promptId: second!.promptId, decision: 'allow' }))).toBe('not_found');
    release();
    expect((await a).ok && (await b).ok).toBe(true);
  });
});

describe('what a page is told, and request ids', () => {
  it('refusals name no internal id or count; the activity log keeps the detail', async () => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 1, windowSeconds: 3600 }] });
    expect(code(await h.sign(SITE))).toBe('ok');
    const capped = await h.sign(SITE);
    await h.ok('set_override', { origin: SITE, method: 'sign_event', kind: 7, effect: 'deny' });
    const denied = await h.sign(SITE, { kind: 7 });
    for (const r of [capped, denied]) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/, 'TIME')).not.toMatch(/#|\d/);
    }
    await h.ctx.activity.flush();
    const reasons = (await h.ctx.db.activity.toArray()).map((a) => a.reason).join(' | ');
    expect(reasons).toMatch(/cap of rule #\d+ spent \(1\/1/);
    expect(reasons).toMatch(/deny override #\d+/);
  });

  it('a second live request with the same id is refused and does not take the first one\'s place', async () => {
    const h = await withAccount();
    const id = crypto.randomUUID();
    const send = (content: string) => h.route({ type: 'nip07', id, method: 'sign_event', params: { event: { kind: 1, content, tags: [] } } }, siteSender(SITE));
    const first = send('first');
    const [prompt] = await waitFor(async () => {
      const list = await h.pending();
      return list.length ? list : null;
    });
    expect(code(await send('second'))).toBe('invalid_request');
    expect((await h.pending()).map((x) => x.promptId)).toEqual([prompt!.promptId]);
    await h.ok('resolve_prompt', { promptId: prompt!.promptId, decision: 'allow' });
    const r = await first;
    expect(r.ok && (r.result as { content: string }).content).toBe('first');
    // Once answered, the id may be used again.
    expect(await askedThen(h, send('again'))).toBe('asked → denied');
  });
});

describe('a reply lost to a worker stop is never signed twice', () => {
  it('an allowed request answered just before the stop: its re-send gets internal, and the log holds one entry', async () => {
    const before = await withAccount();
    await before.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', kind: 1 }] });
    const id = crypto.randomUUID();
    const message = { type: 'nip07', id, method: 'sign_event', params: { event: { kind: 1, content: 'once', tags: [] } } };
    expect(code(await before.route(message, siteSender(SITE)))).toBe('ok'); // the reply is lost on the way back
    // The worker stops; a new one starts on the same database and session.
    const after = makeHarness({ dbName: before.dbName, session: before.session, clock: before.clock });
    expect(code(await after.route({ ...message, resent: true }, siteSender(SITE)))).toBe('internal');
    expect(await after.ctx.db.signingLog.count()).toBe(1);
    // A re-send of a request that never got that far is signed, once.
    const other = { ...message, id: crypto.randomUUID() };
    expect(code(await after.route({ ...other, resent: true }, siteSender(SITE)))).toBe('ok');
    expect(await after.ctx.db.signingLog.count()).toBe(2);
  });
});
