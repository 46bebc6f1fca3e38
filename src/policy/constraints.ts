// Scopes beyond the kind (docs/ARCHITECTURE.md, Constraints): what a rule or override may narrow
// itself to, how a request's target is compared with it, and which constraint fits which method.
// Pure: the write path checks with it, decide() matches with it, the pages describe with it.
import type { Method } from '../shared/methods.ts';

/** Absent or null = no constraint. An empty list is never stored: "any" is null, not []. */
export interface Constraints {
  /** nip04_* / nip44_*: the peer pubkeys (64 hex) it covers; with giftWraps, the seal's sender. */
  peers?: string[] | null;
  /** sign_event kind 22242: the relays its `relay` tag may name (normalised). */
  relays?: string[] | null;
  /** sign_event kind 27235 / 24242: URL prefixes its `u` tag may name (normalised). */
  urls?: string[] | null;
  /** sign_event kind 27235: the HTTP methods its `method` tag may name (upper case). */
  httpMethods?: string[] | null;
  /** nip44_decrypt: covers NIP-17 reads only (a gift wrap holding a seal, or that seal's content). */
  giftWraps?: boolean | null;
}

export const CONSTRAINT_KEYS = ['peers', 'relays', 'urls', 'httpMethods', 'giftWraps'] as const;
export type ConstraintKey = (typeof CONSTRAINT_KEYS)[number];

export const KIND_RELAY_AUTH = 22242;
export const KIND_HTTP_AUTH = 27235;
export const KIND_BLOSSOM_AUTH = 24242;
export const KIND_SEAL = 13;
export const KIND_GIFT_WRAP = 1059;

/**
 * What a request is aimed at, taken from its validated params in one place (src/policy/target.ts)
 * and, for a gift wrap, from what the background found inside it.
 */
export interface RequestTarget {
  /** nip04/nip44: the pubkey in the params. */
  peer?: string;
  /**
   * nip44_decrypt of a NIP-17 layer: 'wrap' — the plaintext is a well-formed kind-13 seal signed by
   * `sender`; 'seal' — the plaintext is the unsigned message (rumor) whose author is `sender`.
   */
  dm?: { layer: 'wrap' | 'seal'; sender: string };
  /** 22242: the `relay` tag, normalised (absent if the event has none or it is not a relay URL). */
  relay?: string;
  /** 27235 / 24242: the `u` tag, normalised. */
  url?: string;
  /** 27235: the `method` tag, upper case. */
  httpMethod?: string;
}

const ENCRYPTION: readonly Method[] = ['nip04_encrypt', 'nip04_decrypt', 'nip44_encrypt', 'nip44_decrypt'];

/**
 * Which (method, kind) each constraint fits. A constraint that cannot apply would never match a
 * request, so the rule would silently cover nothing (or, for a deny, seem to protect): refused.
 */
export function constraintProblem(method: Method, kind: number | null, c: Constraints): string | null {
  if (c.peers != null && !ENCRYPTION.includes(method)) return 'peers apply only to encrypt and decrypt rules (nip04_*, nip44_*)';
  if (c.giftWraps != null && c.giftWraps && method !== 'nip44_decrypt') return 'giftWraps applies only to nip44_decrypt rules';
  if (c.relays != null && !(method === 'sign_event' && kind === KIND_RELAY_AUTH)) return `relays apply only to sign_event kind ${KIND_RELAY_AUTH} (relay AUTH)`;
  if (c.urls != null && !(method === 'sign_event' && (kind === KIND_HTTP_AUTH || kind === KIND_BLOSSOM_AUTH))) {
    return `urls apply only to sign_event kind ${KIND_HTTP_AUTH} (HTTP auth) or ${KIND_BLOSSOM_AUTH} (Blossom auth)`;
  }
  if (c.httpMethods != null && !(method === 'sign_event' && kind === KIND_HTTP_AUTH)) return `httpMethods apply only to sign_event kind ${KIND_HTTP_AUTH} (HTTP auth)`;
  return null;
}

/** Lower-case scheme and host, no trailing slash: `WSS://Relay.Example.com/` → `wss://relay.example.com`. */
export function normaliseRelay(value: string): string | null {
  const url = parseUrl(value);
  if (!url || (url.protocol !== 'wss:' && url.protocol !== 'ws:')) return null;
  return stripSlash(`${url.protocol}//${url.host}${url.pathname}${url.search}`);
}

/**
 * An http(s) URL with lower-case scheme and host (the URL parser's form), without a trailing
 * slash and without a fragment (a fragment never reaches the server).
 */
export function normaliseUrl(value: string): string | null {
  const url = parseUrl(value);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return null;
  return stripSlash(`${url.protocol}//${url.host}${url.pathname}${url.search}`);
}

function parseUrl(value: string): URL | null {
  try {
    return new URL(value.trim());
  } catch {
    return null;
  }
}

function stripSlash(s: string): string {
  return s.replace(/\/+$/, '');
}

/**
 * A prefix matches only on a path boundary: `https://a.com/api` covers `https://a.com/api`,
 * `https://a.com/api/x` and `https://a.com/api?x`, never `https://a.com/api-evil` nor
 * `https://a.com.evil`. Both sides are normalised.
 */
export function urlPrefixCovers(prefix: string, url: string): boolean {
  if (url === prefix) return true;
  if (!url.startsWith(prefix)) return false;
  const next = url[prefix.length];
  // A bare origin prefix ("https://a.com") must be followed by a path, a query — never more host.
  return next === '/' || next === '?';
}

export function normaliseHttpMethod(value: string): string {
  return value.trim().toUpperCase();
}

/** The person a decrypt or encrypt is judged by: the seal's sender for a NIP-17 layer, else the pubkey in the params. */
export function personOf(target: RequestTarget | undefined): string | undefined {
  return target?.dm?.sender ?? target?.peer;
}

/**
 * Does a record's constraints let the request through? (Method and kind are matched elsewhere.)
 * A constraint the request has no value for does not match: an AUTH event without a relay tag is
 * not covered by a rule that names relays.
 */
export function constraintsCover(c: Constraints, target: RequestTarget | undefined, method: Method): boolean {
  if (c.giftWraps) {
    if (method !== 'nip44_decrypt' || !target?.dm) return false;
    if (c.peers != null && !c.peers.includes(target.dm.sender)) return false;
  } else if (c.peers != null && (target?.peer === undefined || !c.peers.includes(target.peer))) {
    return false;
  }
  if (c.relays != null && (target?.relay === undefined || !c.relays.includes(target.relay))) return false;
  if (c.urls != null && (target?.url === undefined || !c.urls.some((p) => urlPrefixCovers(p, target.url!)))) return false;
  if (c.httpMethods != null && (target?.httpMethod === undefined || !c.httpMethods.includes(target.httpMethod))) return false;
  return true;
}

/**
 * Does a deny override's constraints reach the request? A deny is read widely: a peer it names is
 * denied as the pubkey in the params and as the sender of a seal inside a gift wrap.
 */
export function denyReaches(c: Constraints, target: RequestTarget | undefined, method: Method): boolean {
  if (c.peers != null) {
    const named = [target?.peer, target?.dm?.sender].filter((p): p is string => p !== undefined);
    if (!named.some((p) => c.peers!.includes(p))) return false;
  }
  if (c.giftWraps && (method !== 'nip44_decrypt' || !target?.dm)) return false;
  return constraintsCover({ ...c, peers: null, giftWraps: null }, target, method);
}

/** True if the record narrows itself at all. */
export function isConstrained(c: Constraints): boolean {
  return CONSTRAINT_KEYS.some((k) => c[k] != null && c[k] !== false);
}

/** The stored form: absent fields as null, lists normalised, sorted and without duplicates. */
export function constraintFields(c: Constraints): Required<Constraints> {
  const list = (xs: string[] | null | undefined) => (xs == null ? null : [...new Set(xs)].sort());
  return {
    peers: list(c.peers),
    relays: list(c.relays),
    urls: list(c.urls),
    httpMethods: list(c.httpMethods),
    giftWraps: c.giftWraps ? true : null,
  };
}

/** Is every request `narrow`'s constraints let through also let through by `wide`'s? (Same method and kind assumed.) */
export function constraintsWithin(wide: Constraints, narrow: Constraints): boolean {
  const listWithin = (w: string[] | null | undefined, n: string[] | null | undefined, covers = (a: string, b: string) => a === b) =>
    w == null || (n != null && n.every((x) => w.some((y) => covers(y, x))));
  if (wide.giftWraps && !narrow.giftWraps) return false;
  // Without giftWraps, peers name the params' pubkey (a wrap's one-time key), not the seal's sender.
  if (!wide.giftWraps && narrow.giftWraps && wide.peers != null) return false;
  return (
    listWithin(wide.peers, narrow.peers) &&
    listWithin(wide.relays, narrow.relays) &&
    listWithin(wide.urls, narrow.urls, urlPrefixCovers) &&
    listWithin(wide.httpMethods, narrow.httpMethods)
  );
}
