// Scope comes from the browser: another port is another site, a cross-origin iframe is judged by
// its own origin, and a sandboxed (opaque-origin) frame is refused.
import type { Frame, Page } from '@playwright/test';
import { expect, nostrCall, openSite, setupAccount, test, type Extension } from './fixtures.ts';
import { awaitCall, note, signingLog, startCall, status, waitForPending } from './helpers.ts';

const ALL = [{ method: 'get_public_key' }, { method: 'sign_event' }, { method: 'nip44_encrypt' }];
const sign = (content: string) => `window.nostr.signEvent(${JSON.stringify(note(content))})`;

async function addFrame(page: Page, src: string, sandbox?: string): Promise<Frame> {
  await page.evaluate(
    ([url, sb]) =>
      new Promise<void>((ok, fail) => {
        const f = document.createElement('iframe');
        if (sb !== null) f.setAttribute('sandbox', sb);
        f.src = url;
        f.onload = () => ok();
        f.onerror = () => fail(new Error('iframe failed'));
        document.body.appendChild(f);
      }),
    [src, sandbox ?? null] as const,
  );
  const frame = page.frames().find((f) => f !== page.mainFrame() && f.url() === src);
  if (!frame) throw new Error(`no frame for ${src}`);
  return frame;
}

/** Denies the one pending request (asserting it is from `origin`) and returns it. */
async function denyPending(ext: Extension, origin: string) {
  const pending = await waitForPending(ext, 1);
  expect(pending).toHaveLength(1);
  expect(pending[0]!.origin).toBe(origin);
  await ext.admin('resolve_prompt', { promptId: pending[0]!.promptId, decision: 'deny' });
  return pending[0]!;
}

test('a grant for one port does not cover another port of the same host', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: ALL });
  expect(new URL(ext.siteUrl).hostname).toBe(new URL(ext.otherSiteUrl).hostname);

  const granted = await openSite(ext, '/blank.html');
  expect((await nostrCall(granted, sign('from the granted port'))).ok).toBe(true);

  const other = await openSite(ext, '/blank.html', ext.otherSiteUrl);
  await startCall(other, 'sign', sign('from the other port'));
  await denyPending(ext, ext.otherSiteUrl);
  expect(await awaitCall(other, 'sign')).toMatchObject({ ok: false, code: 'denied' });
  await startCall(other, 'pk', 'window.nostr.getPublicKey()');
  await denyPending(ext, ext.otherSiteUrl);
  expect(await awaitCall(other, 'pk')).toMatchObject({ ok: false, code: 'denied' });

  const log = await signingLog(ext);
  expect(log).toHaveLength(1);
  expect(log[0]!.origin).toBe(ext.siteUrl);
});

test('a cross-origin iframe is judged by its own origin, not by the grant of the page embedding it', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: ALL });
  const page = await openSite(ext, '/blank.html');
  const frame = await addFrame(page, `${ext.otherSiteUrl}/blank.html`);
  await frame.waitForFunction(() => 'nostr' in window);
  expect(await frame.evaluate(() => window.origin)).toBe(ext.otherSiteUrl);

  // The parent is granted and signs; the frame asks, for its own origin, and says where it is embedded.
  expect((await nostrCall(page, sign('parent'))).ok).toBe(true);
  await frame.evaluate((src) => {
    const w = window as unknown as { __r?: Promise<unknown> };
    // The call is sent as source text and run in the page, where window.nostr lives.
    w.__r = (new Function(`return (${src})`)() as Promise<unknown>).then(
      () => ({ ok: true }),
      (e: { code?: string }) => ({ ok: false, code: e.code }),
    );
  }, sign('from the iframe'));
  const pending = await waitForPending(ext, 1);
  expect(pending[0]).toMatchObject({ origin: ext.otherSiteUrl, method: 'sign_event' });
  const prompt = await ext.admin<{ origin: string; topOrigin: string | null }>('get_prompt', { promptId: pending[0]!.promptId });
  expect(prompt.origin).toBe(ext.otherSiteUrl);
  expect(prompt.topOrigin).toBe(ext.siteUrl);
  await ext.admin('resolve_prompt', { promptId: pending[0]!.promptId, decision: 'deny' });
  expect(await frame.evaluate(() => (window as unknown as { __r: Promise<unknown> }).__r)).toEqual({ ok: false, code: 'denied' });

  const log = await signingLog(ext);
  expect(log).toHaveLength(1);
  expect(log[0]!.origin).toBe(ext.siteUrl);
});

test('a sandboxed iframe (opaque origin) gets a refusal, never a signature', async ({ ext }) => {
  await setupAccount(ext);
  // Both origins granted: only the frame's opaque origin can make the refusal.
  await ext.admin('grant', { origin: ext.siteUrl, rules: ALL });
  await ext.admin('grant', { origin: ext.otherSiteUrl, rules: ALL });
  const page = await openSite(ext, '/blank.html');

  for (const src of [`${ext.siteUrl}/blank.html`, `${ext.otherSiteUrl}/blank.html`]) {
    const frame = await addFrame(page, src, 'allow-scripts');
    expect(await frame.evaluate(() => window.origin)).toBe('null');
    // The content scripts run in the frame (its URL is http), so window.nostr exists and must refuse.
    await frame.waitForFunction(() => 'nostr' in window);
    {
      for (const script of [sign('sandboxed'), 'window.nostr.getPublicKey()']) {
        const r = await frame.evaluate(
          (s) =>
            Promise.race([
              // The call is sent as source text and run in the page, where window.nostr lives.
              (new Function(`return (${s})`)() as Promise<unknown>).then(
                (v) => ({ ok: true, v }),
                (e: { code?: string }) => ({ ok: false, code: e.code }),
              ),
              new Promise((ok) => setTimeout(() => ok({ ok: false, code: 'still_pending' }), 3_000)),
            ]),
          script,
        );
        expect(r, `${src}: ${script}`).toEqual({ ok: false, code: 'denied' });
      }
    }
    // Bypassing the provider: a raw request posted inside the sandboxed frame gets no success.
    const raw = await frame.evaluate(async (event) => {
      const replies: unknown[] = [];
      window.addEventListener('message', (e) => {
        if ((e.data as { source?: string })?.source === 'warden:reply') replies.push(e.data);
      });
      const id = crypto.randomUUID();
      window.postMessage({ source: 'warden:request', id, method: 'sign_event', params: { event } }, '*');
      await new Promise((ok) => setTimeout(ok, 1_000));
      return replies;
    }, note('raw from sandbox'));
    expect(raw.filter((r) => (r as { ok?: boolean }).ok === true)).toEqual([]);
  }

  await new Promise((ok) => setTimeout(ok, 200));
  expect(await signingLog(ext)).toEqual([]);
  expect((await status(ext)).pending).toEqual([]);
});
