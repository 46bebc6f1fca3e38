// How the control pages say things: windows, times, scopes, outcomes.
import { kindName } from '../../shared/kinds.ts';

export const METHOD_LABEL: Record<string, string> = {
  get_public_key: 'read public key',
  get_relays: 'read relays',
  sign_event: 'sign events',
  nip04_encrypt: 'encrypt (NIP-04)',
  nip04_decrypt: 'decrypt (NIP-04)',
  nip44_encrypt: 'encrypt (NIP-44)',
  nip44_decrypt: 'decrypt (NIP-44)',
};

export const METHOD_OPTIONS: readonly (readonly [string, string])[] = [
  ['sign_event', 'sign_event — sign events'],
  ['get_public_key', 'get_public_key — read public key'],
  ['nip44_encrypt', 'nip44_encrypt'],
  ['nip44_decrypt', 'nip44_decrypt'],
  ['nip04_encrypt', 'nip04_encrypt'],
  ['nip04_decrypt', 'nip04_decrypt'],
];

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
  if (method !== 'sign_event') return METHOD_LABEL[method] ?? method;
  return kind === null ? 'sign events (any kind)' : `sign kind ${kind} · ${kindName(kind)}`;
}

const two = (n: number) => String(n).padStart(2, '0');

/** 14:05 today, "Tue 14:05" this week, else a date. */
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

export const OUTCOMES = ['allowed', 'denied', 'cap_exceeded', 'asked', 'invalid_request', 'locked', 'no_account', 'timeout', 'rate_limited'] as const;

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
