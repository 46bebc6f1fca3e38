// ISOLATED world: relays window.nostr calls from its own window to the background, and the
// answers back to the page's own origin. It adds nothing the background trusts: the background
// takes the origin from the browser's sender information.
import browser from 'webextension-polyfill';
import { isPageRequest, PAGE_REPLY } from '../shared/channel.ts';

const UNAVAILABLE = { ok: false, error: { code: 'internal', message: 'The signer is unavailable; reload the page' } } as const;

/** Waits before sending a request again whose answer was lost to a stopped worker. */
const RESEND_AFTER_MS = [50, 250, 1_000];

/**
 * Sends a request; if the background stopped before answering (an MV3 worker may stop at any
 * time), sends the very same request again: the restarted background knows it by its id and
 * params, so a prompt it was waiting on keeps its place and an answer given meanwhile applies.
 */
async function send(message: { type: 'nip07'; id: string; method: string; params: unknown }): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await browser.runtime.sendMessage(message);
    } catch {
      // No id: the extension was reloaded or removed; nothing will answer.
      if (attempt >= RESEND_AFTER_MS.length || !browser.runtime?.id) return UNAVAILABLE;
      await new Promise((r) => setTimeout(r, RESEND_AFTER_MS[attempt]));
    }
  }
}

window.addEventListener('message', (event: MessageEvent) => {
  if (event.source !== window || event.origin !== window.location.origin || window.location.origin === 'null') return;
  const data: unknown = event.data;
  if (!isPageRequest(data)) return;
  const { id, method, params } = data;
  send({ type: 'nip07', id, method, params }).then((reply: unknown) => {
      const r = (typeof reply === 'object' && reply !== null ? reply : UNAVAILABLE) as { ok?: unknown; result?: unknown; error?: unknown };
      const message = r.ok === true ? { source: PAGE_REPLY, id, ok: true, result: r.result } : { source: PAGE_REPLY, id, ok: false, error: r.error ?? UNAVAILABLE.error };
      window.postMessage(message, window.location.origin);
    });
});
