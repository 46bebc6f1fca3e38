// A worker stop while requests wait on a prompt: the restarted worker (a new context over the same
// database and storage.session) shows them again, the page's re-sent request takes back its place,
// and an answer completes it exactly once — or refuses it.
import { describe, expect, it } from 'vitest';
import { generateSecretKey, getPublicKey, verifyEvent, type VerifiedEvent } from 'nostr-tools/pure';
import * as nip44 from 'nostr-tools/nip44';
import type { SenderInfo } from '../sender.ts';
import { MemorySessionStore } from '../../vault/sessionStore.ts';
import type { WireResponse } from '../../shared/errors.ts';
import { uniqueDbName, waitFor } from '../../test/fixtures.ts';
import { EXT, type Harness, makeHarness, SITE } from '../../test/background.ts';

const ADMIN: SenderInfo = { url: `${EXT}/src/ui/prompt/index.html` };
const PAGE: SenderInfo = { url: `${SITE}/app`, origin: SITE, tab: { id: 3, url: `${SITE}/app`, windowId: 1 }, frameId: 0 };

type Worker = Harness;

// Both workers read the real clock, as two worker starts in a browser do.
function start(dbName: string, session: MemorySessionStore): Worker {
  return makeHarness({ dbName, session, now: Date.now, adminSender: ADMIN });
}

async function admin(w: Worker, method: string, params: unknown = {}) {
  return (await w.ok(method, params)) as Record<string, unknown>;
}

const signRequest = (id: string, content = 'hello') => ({ type: 'nip07', id, method: 'sign_event', params: { event: { kind: 1, content, tags: [], created_at: 1 } } });

async function pendingIds(w: Worker): Promise<string[]> {
  return ((await admin(w, 'get_status')).pending as { promptId: string }[]).map((p) => p.promptId);
}

/** A first worker with an account and one request waiting on its prompt; then it "stops". */
async function stopWhileAsking() {
  const dbName = uniqueDbName('resume');
  const session = new MemorySessionStore();
  const first = start(dbName, session);
  await admin(first, 'create_account', { password: 'pw pw pw' });
  const id = crypto.randomUUID();
  const lost = first.route(signRequest(id), PAGE); // its answer channel dies with the worker
  const [promptId] = await waitFor(() => pendingIds(first).then((p) => (p.length ? p : null)));
  await waitFor(async () => ((await session.get<unknown[]>('prompts.pending')) ?? []).length === 1, 3_000, 'the pending list saved');
  first.ctx.db.close();
  void lost;
  return { dbName, session, id, promptId: promptId! };
}

function value(r: WireResponse): VerifiedEvent {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result as VerifiedEvent;
}

describe('prompts across a worker restart', () => {
  it('the restarted worker lists the waiting request under the same prompt id', async () => {
    const { dbName, session, promptId } = await stopWhileAsking();
    const second = start(dbName, session);
    expect(await pendingIds(second)).toEqual([promptId]);
  });

  it('the re-sent request takes back its place; Allow signs it once', async () => {
    const { dbName, session, id, promptId } = await stopWhileAsking();
    const second = start(dbName, session);
    const resent = second.route(signRequest(id), PAGE);
    await waitFor(async () => (await pendingIds(second)).length === 1);
    expect(await pendingIds(second)).toEqual([promptId]);
    await admin(second, 'resolve_prompt', { promptId, decision: 'allow' });
    expect(verifyEvent(value(await resent))).toBe(true);
    expect(await second.ctx.db.signingLog.count()).toBe(1);
    expect(await pendingIds(second)).toEqual([]);
  });

  it('an answer given before the page re-sends is kept for it (allow → signed once; deny → denied)', async () => {
    for (const decision of ['allow', 'deny'] as const) {
      const { dbName, session, id, promptId } = await stopWhileAsking();
      const second = start(dbName, session);
      await admin(second, 'resolve_prompt', { promptId, decision });
      const r = await second.route(signRequest(id), PAGE);
      if (decision === 'allow') expect(verifyEvent(value(r))).toBe(true);
      else expect(r).toMatchObject({ ok: false, error: { code: 'denied' } });
      expect(await second.ctx.db.signingLog.count()).toBe(decision === 'allow' ? 1 : 0);
      // The answer is used up: the same id again is a new request, which asks.
      void second.route(signRequest(id), PAGE);
      await waitFor(async () => (await pendingIds(second)).length === 1);
    }
  });

  it('another site, or other params under the same id, cannot take the place or the answer', async () => {
    const { dbName, session, id, promptId } = await stopWhileAsking();
    const second = start(dbName, session);
    await admin(second, 'resolve_prompt', { promptId, decision: 'allow' });
    const other: SenderInfo = { url: 'https://evil.example/x', origin: 'https://evil.example', tab: { id: 9, url: 'https://evil.example/x' }, frameId: 0 };
    void second.route(signRequest(id), other);
    void second.route(signRequest(id, 'different content'), PAGE);
    await waitFor(async () => (await pendingIds(second)).length === 2, 3_000, 'both to ask');
    expect(await second.ctx.db.signingLog.count()).toBe(0);
  });

  // docs/THREATS.md #43: an encrypt's text never reaches storage.session, neither in the waiting
  // list nor in an answer kept for the re-send; the re-sent request brings it back.
  it('an encrypt waiting across a restart: storage.session never holds its text; the answer still completes it', async () => {
    const dbName = uniqueDbName('resume');
    const session = new MemorySessionStore();
    const first = start(dbName, session);
    await admin(first, 'create_account', { password: 'pw pw pw' });
    const peerSk = generateSecretKey();
    const text = 'the text of an encrypt, kept in memory only';
    const encrypt = (id: string) => ({ type: 'nip07', id, method: 'nip44_encrypt', params: { pubkey: getPublicKey(peerSk), plaintext: text } });
    const leaked = () => JSON.stringify([...session.data.values()]).includes('kept in memory only');
    const id = crypto.randomUUID();
    void first.route(encrypt(id), PAGE);
    const [promptId] = await waitFor(() => pendingIds(first).then((p) => (p.length ? p : null)));
    await waitFor(async () => ((await session.get<unknown[]>('prompts.pending')) ?? []).length === 1, 3_000, 'the pending list saved');
    expect(leaked()).toBe(false);
    first.ctx.db.close();

    const second = start(dbName, session);
    expect(await pendingIds(second)).toEqual([promptId]);
    await admin(second, 'resolve_prompt', { promptId, decision: 'allow' });
    expect(await session.get('prompts.answers')).toEqual({ [id]: expect.objectContaining({ answer: 'approved' }) });
    expect(leaked()).toBe(false);
    const r = await second.route(encrypt(id), PAGE);
    const account = (await admin(second, 'get_status')).account as { pubkey: string };
    expect(nip44.decrypt(value(r) as unknown as string, nip44.getConversationKey(peerSk, account.pubkey))).toBe(text);
    expect(leaked()).toBe(false);
  });

  it('a request that was running when the worker stopped is refused, never run twice', async () => {
    const { dbName, session, id } = await stopWhileAsking();
    // As if the first worker had stopped between the approval and the end of its transaction.
    await session.set('prompts.running', { [id]: SITE });
    const second = start(dbName, session);
    expect(await second.route(signRequest(id), PAGE)).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(await second.ctx.db.signingLog.count()).toBe(0);
  });
});
