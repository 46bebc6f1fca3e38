// docs/THREATS.md #6, from a cross-origin child frame: what it posts into the page around it looks
// like the bridge's traffic, but the provider settles only replies from its own window and the
// bridge relays only requests from its own window and origin; every reply stays in the window
// whose call it answers, so neither side ever reads the other's.
import type { Frame, Page } from '@playwright/test';
import { verifyEvent } from 'nostr-tools/pure';
import { expect, openSite, setupAccount, test, type Extension } from './fixtures.ts';
import { addFrame, awaitCall, note, signingLog, signScript, sleep, startCall, waitForPending, type SignedEvent } from './helpers.ts';

type Seen = { source?: string; id?: string; ok?: boolean };

/** Records, in `target` (a page or a frame), every bridge-shaped message its own window receives. */
async function record(target: Page | Frame): Promise<void> {
  await target.evaluate(() => {
    const w = window as unknown as { __seen: Seen[] };
    w.__seen = [];
    window.addEventListener('message', (e) => {
      const d = e.data as Seen | null;
      if (d && (d.source === 'warden:request' || d.source === 'warden:reply')) w.__seen.push({ source: d.source, id: d.id, ok: d.ok });
    });
  });
}
const seen = (target: Page | Frame) => target.evaluate(() => (window as unknown as { __seen: Seen[] }).__seen);

/** getPublicKey in `target`, or 'still_pending' after 3 s: a reply sent to the wrong window fails fast. */
const publicKeyIn = (target: Page | Frame) =>
  target.evaluate(() =>
    Promise.race([
      (window as unknown as { nostr: { getPublicKey(): Promise<string> } }).nostr.getPublicKey(),
      new Promise((ok) => setTimeout(() => ok('still_pending'), 3_000)),
    ]),
  );

/** The site page with a child frame from the other origin, both recording what they receive. */
async function pageWithForeignFrame(ext: Extension): Promise<{ page: Page; frame: Frame }> {
  const page = await openSite(ext, '/blank.html');
  const frame = await addFrame(page, `${ext.otherSiteUrl}/blank.html`);
  await record(page);
  await record(frame);
  return { page, frame };
}

test('a cross-origin child frame cannot settle the parent\'s pending call, even with its id', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  const { page, frame } = await pageWithForeignFrame(ext);

  // No grant: the call waits on a prompt. The parent's own listener learns the request's id (the
  // worst case: the child is handed the id it would otherwise have to guess).
  await startCall(page, 'sign', signScript(note('asked by the page')));
  const [pending] = await waitForPending(ext, 1);
  const id = (await seen(page)).find((m) => m.source === 'warden:request')?.id;
  expect(id, 'the request id').toMatch(/^[0-9a-f-]{36}$/);

  const forged = { kind: 1, content: 'forged', tags: [], created_at: 1, pubkey, id: '0'.repeat(64), sig: '0'.repeat(128) };
  await frame.evaluate(
    ([rid, event, parentOrigin]) => {
      for (const target of ['*', parentOrigin]) {
        window.parent.postMessage({ source: 'warden:reply', id: rid, ok: true, result: event }, target);
        window.parent.postMessage({ source: 'warden:reply', id: rid, ok: false, error: { code: 'denied', message: 'forged' } }, target);
      }
    },
    [id!, forged, ext.siteUrl] as const,
  );
  await sleep(600);
  const early = await page.evaluate(() =>
    Promise.race([(window as unknown as { __calls: Record<string, Promise<unknown>> }).__calls.sign, new Promise((ok) => setTimeout(() => ok('waiting'), 100))]),
  );
  expect(early, 'the forged replies settled nothing').toBe('waiting');

  // The real answer still settles it, with the event the page asked for.
  await ext.admin('resolve_prompt', { promptId: pending!.promptId, decision: 'allow' });
  const r = await awaitCall<SignedEvent>(page, 'sign');
  expect(r.ok).toBe(true);
  if (!r.ok) return;
  expect(r.value.content).toBe('asked by the page');
  expect(verifyEvent(r.value as Parameters<typeof verifyEvent>[0])).toBe(true);
});

test('a cross-origin child frame\'s forged requests are not relayed, and no reply crosses between the frames', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  // The page may sign and read the key without asking: a relayed forgery would succeed at once.
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'get_public_key' }, { method: 'sign_event' }] });
  await ext.admin('grant', { origin: ext.otherSiteUrl, rules: [{ method: 'get_public_key' }] });
  const { page, frame } = await pageWithForeignFrame(ext);

  const forgedIds = await frame.evaluate(
    ([event, parentOrigin]) => {
      const ids: string[] = [];
      for (const target of ['*', parentOrigin]) {
        for (const [method, params] of [['sign_event', { event }], ['get_public_key', {}]] as const) {
          const id = crypto.randomUUID();
          ids.push(id);
          window.parent.postMessage({ source: 'warden:request', id, method, params }, target);
        }
      }
      return ids;
    },
    [note('forged by the child frame'), ext.siteUrl] as const,
  );
  await sleep(800);
  expect(await signingLog(ext), 'nothing was signed in the page\'s name').toEqual([]);
  const repliesInPage = (await seen(page)).filter((m) => m.source === 'warden:reply');
  expect(repliesInPage, 'the bridge answered none of the forgeries').toEqual([]);

  // Each side's real call is answered in its own window only.
  expect(await publicKeyIn(frame)).toBe(pubkey);
  expect(await publicKeyIn(page)).toBe(pubkey);
  const pageSaw = await seen(page);
  const frameSaw = await seen(frame);
  const ids = (list: Seen[], source: string) => list.filter((m) => m.source === source).map((m) => m.id);
  // The page saw its own request and its reply, nothing of the child's.
  expect(ids(pageSaw, 'warden:reply')).toEqual(ids(pageSaw, 'warden:request').filter((i) => !forgedIds.includes(i!)));
  expect(ids(pageSaw, 'warden:reply')).toHaveLength(1);
  // The child saw its own request and its reply; the parent's reply and any answer to its
  // forgeries never reached it.
  expect(ids(frameSaw, 'warden:reply')).toEqual(ids(frameSaw, 'warden:request'));
  expect(ids(frameSaw, 'warden:reply')).toHaveLength(1);
  for (const forged of forgedIds) expect(ids(frameSaw, 'warden:reply')).not.toContain(forged);
  expect(await signingLog(ext)).toEqual([]);
});
