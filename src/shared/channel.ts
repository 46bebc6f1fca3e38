// The page ↔ content-bridge channel (window.postMessage within one window). No dependencies:
// the MAIN-world provider and the bridge load on every page and must stay small.
import { isMethod, type Method } from './methods.ts';

export const PAGE_REQUEST = 'warden:request';
export const PAGE_REPLY = 'warden:reply';

/** Longer than the background's prompt wait, so the background's own `timeout` normally wins. */
export const PROVIDER_TIMEOUT_MS = 150_000;

export const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export interface PageRequestMessage {
  source: typeof PAGE_REQUEST;
  id: string;
  method: Method;
  params: unknown;
}

export function isPageRequest(data: unknown): data is PageRequestMessage {
  if (typeof data !== 'object' || data === null) return false;
  const d = data as Record<string, unknown>;
  return (
    d.source === PAGE_REQUEST &&
    typeof d.id === 'string' &&
    REQUEST_ID.test(d.id) &&
    typeof d.method === 'string' &&
    isMethod(d.method)
  );
}

/** A v4 UUID from getRandomValues, which (unlike randomUUID) exists on plain-http pages too. */
export function unguessableId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
