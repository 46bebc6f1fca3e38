// Accepts the content bridge's keepalive port (src/content/bridge.ts, src/platform.ts). The
// bridge opens it only while one of its page's requests has waited a while (typically on a
// prompt) and pings through it; each ping is an event for the background, so Firefox does not stop
// the event page while a prompt is open. The port carries nothing else, and nothing is trusted
// from it: any content script could hold one, which only keeps the background running.
// Imported for its effect by index.ts, so the listener is registered synchronously at start.
import browser, { type Runtime } from 'webextension-polyfill';
import { KEEPALIVE_PORT } from '../platform.ts';

browser.runtime.onConnect.addListener((port: Runtime.Port) => {
  if (port.name !== KEEPALIVE_PORT) return;
  // Listening is what counts: a message to a port with a listener is an event for the page.
  port.onMessage.addListener(() => {});
});
