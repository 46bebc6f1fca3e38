// Everything that differs between Chromium and Firefox at run time, in one place. The build says
// which browser it is for (vite.config.ts defines __WARDEN_BROWSER__ from TARGET); no other module
// asks. Differences in the manifest live in manifest.config.ts.

declare const __WARDEN_BROWSER__: string | undefined;

export type BrowserName = 'chrome' | 'firefox';

export interface KeepAlive {
  /** A request that has waited this long makes the bridge open its keepalive port. */
  afterMs: number;
  /** While the port is open the bridge sends a ping this often (well inside the browser's idle limit). */
  pingMs: number;
}

export interface Platform {
  browser: BrowserName;
  /**
   * How the content bridge keeps the background alive while a page waits for an answer, or null
   * when the browser does it by itself. Firefox stops an MV3 event page after about 30 s without
   * events even while a content script's runtime.sendMessage still waits (on an open prompt, say):
   * the page then gets "Receiving end does not exist". Chromium keeps its service worker while a
   * message's reply is pending (up to 5 minutes, longer than a prompt may wait).
   */
  keepAlive: KeepAlive | null;
}

const PLATFORMS: Record<BrowserName, Platform> = {
  chrome: { browser: 'chrome', keepAlive: null },
  firefox: { browser: 'firefox', keepAlive: { afterMs: 1_000, pingMs: 5_000 } },
};

/** Unit tests run without the build's define: they get Chromium's behaviour. */
export const platform: Platform =
  typeof __WARDEN_BROWSER__ === 'string' && __WARDEN_BROWSER__ === 'firefox' ? PLATFORMS.firefox : PLATFORMS.chrome;

/** The name of the bridge's keepalive port (src/background/keepalive.ts accepts it). */
export const KEEPALIVE_PORT = 'warden:keepalive';

/** The name of the bridge's document port (src/background/documents.ts accepts it). */
export const DOCUMENT_PORT = 'warden:document';
