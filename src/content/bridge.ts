// ISOLATED world: relays window.nostr calls from its own window to the background, and the
// answers back to the page's own origin. It adds nothing the background trusts: the background
// takes the origin from the browser's sender information.
import browser, { type Runtime } from 'webextension-polyfill';
import { Admission } from './admission.ts';
import { isPageRequest, PAGE_REPLY } from '../shared/channel.ts';
import { DOCUMENT_PORT, KEEPALIVE_PORT, platform, type KeepAlive } from '../platform.ts';

const UNAVAILABLE = { ok: false, error: { code: 'internal', message: 'The signer is unavailable; reload the page' } } as const;

/**
 * Keeps the background alive while this page has requests in flight, where the browser needs it
 * (src/platform.ts): once requests have been in flight for `afterMs`, a port to the background is
 * opened and pinged every `pingMs` until nothing is in flight. A quick request costs a counter and
 * a clock read: the one timer is armed at most once per `afterMs` and never cleared.
 */
function keepAliveWhileWaiting(opts: KeepAlive | null): { begin(): void; end(): void } {
  if (!opts) return { begin() {}, end() {} };
  let inFlight = 0;
  let busySince = 0; // when inFlight last went from 0 to 1
  let checking = false;
  let port: Runtime.Port | undefined;
  let ping: ReturnType<typeof setInterval> | undefined;
  const close = () => {
    clearInterval(ping);
    ping = undefined;
    const p = port;
    port = undefined;
    p?.disconnect();
  };
  const open = () => {
    try {
      const p = browser.runtime.connect({ name: KEEPALIVE_PORT });
      port = p;
      ping = setInterval(() => p.postMessage(0), opts.pingMs);
      p.onDisconnect.addListener(() => {
        if (port !== p) return;
        close();
        // The background stopped anyway (the bridge re-sends what it was waiting on): hold the
        // restarted one too.
        if (inFlight > 0) arm(opts.afterMs);
      });
    } catch {
      close(); // the extension was reloaded or removed: nothing left to keep alive
    }
  };
  const check = () => {
    checking = false;
    if (inFlight === 0 || port) return;
    const waited = Date.now() - busySince;
    if (waited >= opts.afterMs) open();
    else arm(opts.afterMs - waited);
  };
  const arm = (ms: number) => {
    if (checking) return;
    checking = true;
    setTimeout(check, ms);
  };
  return {
    begin() {
      if (inFlight++ > 0) return;
      busySince = Date.now();
      arm(opts.afterMs);
    },
    end() {
      if (--inFlight === 0 && port) close();
    },
  };
}

const keepAlive = keepAliveWhileWaiting(platform.keepAlive);

/**
 * Calls of this frame sent on and not yet answered, at most, and how many more may wait here to be
 * sent (src/content/admission.ts). Past both a call is refused here at once with rate_limited and
 * never messaged on: a flood of one page then costs the background (one thread for every site) a
 * bounded number of messages at a time, so it cannot slow another site's requests
 * (docs/THREATS.md #34), while a client's honest burst (an inbox of a few hundred messages) waits
 * its turn instead of failing. The background's own bound of waiting requests stays the authority
 * for what reaches it.
 */
const MAX_IN_FLIGHT = 100;
const MAX_WAITING_TO_SEND = 1_000;
const admission = new Admission(MAX_IN_FLIGHT, MAX_WAITING_TO_SEND);

/**
 * Binds this document's requests to it (docs/THREATS.md #41): from its first request on, the
 * bridge holds a port to the background, which the browser disconnects when the document goes
 * away (navigation, frame removal, back/forward cache); the background then refuses what this
 * document still waits on. Opened once per document, not per request: runtime.connect does not
 * delay the sendMessage that follows it. If the background stops, the port is opened again at once
 * when requests are in flight (they are re-sent to the restarted background), else on the next one.
 */
function documentBinding(): { begin(): void; end(): void } {
  let inFlight = 0;
  let port: Runtime.Port | undefined;
  const open = () => {
    try {
      const p = browser.runtime.connect({ name: DOCUMENT_PORT });
      port = p;
      p.onDisconnect.addListener(() => {
        if (port !== p) return;
        port = undefined;
        // A short pause, so a background that cannot take the port is not asked in a tight loop.
        setTimeout(() => inFlight > 0 && !port && browser.runtime?.id && open(), 50);
      });
    } catch {
      port = undefined; // the extension was reloaded or removed
    }
  };
  return {
    begin() {
      inFlight++;
      if (!port) open();
    },
    end() {
      inFlight--;
    },
  };
}

const documentPort = documentBinding();

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
      // A re-send says so: the background then makes sure it does not sign or decrypt twice.
      return await browser.runtime.sendMessage(attempt === 0 ? message : { ...message, resent: true });
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
  const sendOn = () => {
    documentPort.begin();
    keepAlive.begin();
    return send({ type: 'nip07', id, method, params }).then((reply: unknown) => {
      keepAlive.end();
      documentPort.end();
      const r = (typeof reply === 'object' && reply !== null ? reply : UNAVAILABLE) as { ok?: unknown; result?: unknown; error?: unknown };
      const message = r.ok === true ? { source: PAGE_REPLY, id, ok: true, result: r.result } : { source: PAGE_REPLY, id, ok: false, error: r.error ?? UNAVAILABLE.error };
      window.postMessage(message, window.location.origin);
      // The background says this page asks too much: what still waits here is refused too,
      // without a message each (a flood must not reach it a thousand calls at a time).
      if (r.ok !== true && (r.error as { code?: unknown } | undefined)?.code === 'rate_limited') admission.refuseWaiting();
    });
  };
  const refuse = () => {
    const error = { code: 'rate_limited', message: 'Too many calls from this page are still waiting for an answer' };
    window.postMessage({ source: PAGE_REPLY, id, ok: false, error }, window.location.origin);
  };
  if (!admission.offer(sendOn, refuse)) refuse();
});
