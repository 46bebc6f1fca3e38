// How the popup and options pages say things: windows, times, scopes, outcomes.
import { kindName } from '../../shared/kinds.ts';
import { isMethod, METHOD_TABLE, POLICY_METHODS, takesKind, type Method } from '../../shared/methods.ts';
import { npubEncode } from 'nostr-tools/nip19';
import type { Constraints } from '../../policy/constraints.ts';

/** The methods a rule or override can name, as select options (sign_event first: the usual one). */
export const METHOD_OPTIONS: readonly (readonly [string, string])[] = [...POLICY_METHODS]
  .sort((a, b) => Number(b === 'sign_event') - Number(a === 'sign_event'))
  .map((m) => [m, `${m} — ${METHOD_TABLE[m].label}`]);

/** Cap windows offered in the pages; '' = lifetime (windowSeconds null). */
export const WINDOW_OPTIONS: readonly (readonly [string, string])[] = [
  ['60', 'per minute'],
  ['3600', 'per hour'],
  ['86400', 'per day'],
  ['604800', 'per week'],
  ['2592000', 'per 30 days'],
  ['', 'in total (lifetime)'],
];

export function windowPhrase(windowSeconds: number | null): string {
  switch (windowSeconds) {
    case null:
      return 'in total';
    case 60:
      return 'this minute';
    case 3600:
      return 'this hour';
    case 86400:
      return 'today (24 h)';
    case 604800:
      return 'this week (7 days)';
    default:
      return windowSeconds % 86400 === 0 ? `in ${windowSeconds / 86400} days` : windowSeconds % 3600 === 0 ? `in ${windowSeconds / 3600} h` : windowSeconds % 60 === 0 ? `in ${windowSeconds / 60} min` : `in ${windowSeconds} s`;
  }
}

export function windowOptionsWith(current: number | null): readonly (readonly [string, string])[] {
  const value = current === null ? '' : String(current);
  return WINDOW_OPTIONS.some(([v]) => v === value) ? WINDOW_OPTIONS : [...WINDOW_OPTIONS, [value, `per ${windowPhrase(current).replace(/^in /, '')}`]];
}

export function scopeText(method: string, kind: number | null): string {
  if (!takesKind(method)) return isMethod(method) ? METHOD_TABLE[method].label : method;
  return kind === null ? 'sign events (any kind)' : `sign kind ${kind} · ${kindName(kind)}`;
}

const two = (n: number) => String(n).padStart(2, '0');

/** 14:05 today, "Tue 14:05" this week, else a date. */
/** An activity row that stands for repeated refusals (docs/THREATS.md #34): "×1000"; one decision: nothing. */
export function countText(count: number | undefined): string {
  return count !== undefined && count > 1 ? `×${count}` : '';
}

export function timeText(t: number, now = Date.now()): string {
  const d = new Date(t);
  const hm = `${two(d.getHours())}:${two(d.getMinutes())}`;
  if (new Date(now).toDateString() === d.toDateString()) return hm;
  if (Math.abs(t - now) < 6 * 86_400_000) return `${d.toLocaleDateString(undefined, { weekday: 'short' })} ${hm}`;
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${hm}`;
}

export function agoText(t: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return timeText(t, now);
}

export const OUTCOME_TONE: Record<string, 'ok' | 'danger' | 'warn' | 'muted' | 'accent'> = {
  allowed: 'ok',
  denied: 'danger',
  cap_exceeded: 'warn',
  asked: 'accent',
  allow: 'ok',
  deny: 'danger',
  ask: 'accent',
};

export { OUTCOMES } from '../../policy/records.ts';

/** A rule's or override's scope from a form: the method, and its kind when the method takes one. */
export function scopeOf(method: string, kindText: string): { method: Method; kind: number | null } {
  const kind = takesKind(method) ? parseKind(kindText) : null;
  if (kind instanceof Error) throw kind;
  return { method: methodOf(method), kind };
}

/** A method select's value (its options come from the method table; anything else is refused). */
export function methodOf(value: string): Method {
  if (!isMethod(value)) throw new Error(`not a method: ${value}`);
  return value;
}

/** Parses a kind input: '' = none (null); else an integer 0–65535 or an error. */
export function parseKind(text: string): number | null | Error {
  const s = text.trim();
  if (!s) return null;
  const n = Number(s);
  return Number.isInteger(n) && n >= 0 && n <= 65_535 ? n : new Error('kind: a whole number from 0 to 65535');
}

export function parseCount(text: string): number | null | Error {
  const s = text.trim();
  if (!s) return null;
  const n = Number(s);
  return Number.isInteger(n) && n >= 1 ? n : new Error('cap: a whole number of 1 or more (empty = no cap)');
}

/** "npub1abcd…wxyz": enough to tell keys apart at a glance (the full npub goes in a title). */
export function shortNpub(npub: string): string {
  return npub.length > 20 ? `${npub.slice(0, 10)}…${npub.slice(-6)}` : npub;
}

/** "a and b", "a, b and c". */
function andList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * What a rule's or override's constraints narrow it to, in words (docs/ARCHITECTURE.md,
 * Constraints): "direct messages only, only with npub1… and npub1…". Empty when it has none.
 */
export function constraintText(c: Partial<Constraints>): string {
  const parts: string[] = [];
  if (c.giftWraps) parts.push('direct messages (NIP-17) only');
  if (c.peers) parts.push(`only with ${andList(c.peers.map((p) => shortNpub(npubEncode(p))))}`);
  if (c.relays) parts.push(`only on ${andList(c.relays)}`);
  if (c.urls) parts.push(`only for ${andList(c.urls.map((u) => `${u}…`))}`);
  if (c.httpMethods) parts.push(`only ${andList(c.httpMethods)}`);
  return parts.join(', ');
}

/** A scope with its constraints: "decrypt (NIP-44) — only with npub1… and npub1…". */
export function scopeWithConstraints(method: string, kind: number | null, c: Partial<Constraints>): string {
  const narrowed = constraintText(c);
  return narrowed ? `${scopeText(method, kind)} — ${narrowed}` : scopeText(method, kind);
}
