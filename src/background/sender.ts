// Who is asking, from the browser's own sender information only (docs/THREATS.md #1–#5).
import { fail } from '../shared/errors.ts';

/** The fields of runtime.MessageSender that we read. */
export interface SenderInfo {
  id?: string | undefined;
  url?: string | undefined;
  origin?: string | undefined;
  tab?: { id?: number | undefined; url?: string | undefined; windowId?: number | undefined; active?: boolean | undefined } | undefined;
  frameId?: number | undefined;
  /** Chromium 106+ only: the sending document's id and lifecycle ('active', 'prerender', 'cached', 'pending_deletion'). */
  documentId?: string | undefined;
  documentLifecycle?: string | undefined;
}

function urlOrigin(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * The site a content-script request comes from: its frame's own scheme + host + port. Opaque
 * ("null") origins, non-http(s) frames and a sender.origin that disagrees with the frame URL
 * (a sandboxed frame) are refused.
 */
export function siteOrigin(sender: SenderInfo): string {
  const fromUrl = urlOrigin(sender.url);
  if (!fromUrl || fromUrl === 'null' || !/^https?:\/\//.test(fromUrl)) {
    throw fail('denied', 'Requests are accepted only from http(s) pages with a real origin');
  }
  if (sender.origin !== undefined && sender.origin !== fromUrl) {
    throw fail('denied', 'Requests from sandboxed or opaque-origin frames are refused');
  }
  return fromUrl;
}

/** The top-level site, when the request came from an embedded frame of another origin. */
export function embeddingOrigin(sender: SenderInfo, origin: string): string | undefined {
  if (!sender.frameId) return undefined;
  const top = urlOrigin(sender.tab?.url);
  if (top === origin) return undefined;
  return top ?? 'an unknown site';
}

/**
 * Admin RPC comes only from the extension's own pages, judged by the sender URL's origin (never
 * by whether sender.tab is set). Compared as a string prefix: URL parsers that treat extension
 * schemes as non-special (as WHATWG URL does) would report an opaque "null" origin.
 */
export function isExtensionPage(sender: SenderInfo, extensionOrigin: string): boolean {
  return typeof sender.url === 'string' && extensionOrigin.length > 0 && sender.url.startsWith(`${extensionOrigin}/`);
}
