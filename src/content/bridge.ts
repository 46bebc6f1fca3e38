// ISOLATED world: relays window.nostr calls from its own window to the background, and the
// answers back to the page's own origin. It adds nothing the background trusts: the background
// takes the origin from the browser's sender information.
import browser from 'webextension-polyfill';
import { isPageRequest, PAGE_REPLY } from '../shared/channel.ts';

const UNAVAILABLE = { ok: false, error: { code: 'internal', message: 'The signer is unavailable; reload the page' } } as const;

window.addEventListener('message', (event: MessageEvent) => {
  if (event.source !== window || event.origin !== window.location.origin || window.location.origin === 'null') return;
  const data: unknown = event.data;
  if (!isPageRequest(data)) return;
  const { id, method, params } = data;
  browser.runtime
    .sendMessage({ type: 'nip07', id, method, params })
    .catch(() => UNAVAILABLE)
    .then((reply: unknown) => {
      const r = (typeof reply === 'object' && reply !== null ? reply : UNAVAILABLE) as { ok?: unknown; result?: unknown; error?: unknown };
      const message = r.ok === true ? { source: PAGE_REPLY, id, ok: true, result: r.result } : { source: PAGE_REPLY, id, ok: false, error: r.error ?? UNAVAILABLE.error };
      window.postMessage(message, window.location.origin);
    });
});
