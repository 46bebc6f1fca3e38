// NIP-46 `perms` strings (`sign_event:1,nip44_encrypt`) ↔ grant rules. Pure: used by the options
// page to preview an import and by the background to apply it.
import { isMethod, METHODS, takesKind, type Method } from './methods.ts';

export interface Perm {
  method: Method;
  /** sign_event only; null = any kind. */
  kind: number | null;
}

export type PermsParse = { ok: true; perms: Perm[] } | { ok: false; error: string };

const MAX_ITEMS = 200;

/**
 * Parses a comma-separated perms string. Whitespace around items is ignored, duplicates are
 * dropped, an empty string is an empty list. An unknown method, a kind on a method other than
 * sign_event or a kind outside 0–65535 is an error naming the item (nothing is half-applied).
 */
export function parsePerms(text: string): PermsParse {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length > MAX_ITEMS) return { ok: false, error: `at most ${MAX_ITEMS} permissions` };
  const out: Perm[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const m = /^([a-z0-9_]+)(?::(\d{1,5}))?$/.exec(item);
    if (!m) return { ok: false, error: `not a permission: "${item.slice(0, 40)}"` };
    const method = m[1]!;
    if (!isMethod(method)) return { ok: false, error: `unknown method: "${method.slice(0, 40)}"` };
    let kind: number | null = null;
    if (m[2] !== undefined) {
      if (!takesKind(method)) return { ok: false, error: `only sign_event takes a kind: "${item}"` };
      kind = Number(m[2]);
      if (kind > 65_535) return { ok: false, error: `kind out of range: "${item}"` };
    }
    const key = `${method}:${kind ?? '*'}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ method, kind });
  }
  return { ok: true, perms: out };
}

/** The perms string of a set of rules, in a stable order. Caps and lifetimes are not part of it. */
export function formatPerms(rules: readonly { method: Method; kind: number | null }[]): string {
  const keys = new Set<string>();
  const order = (r: { method: Method; kind: number | null }) => [METHODS.indexOf(r.method), r.kind ?? -1] as const;
  const sorted = [...rules].sort((a, b) => {
    const [ma, ka] = order(a);
    const [mb, kb] = order(b);
    return ma - mb || ka - kb;
  });
  for (const r of sorted) keys.add(takesKind(r.method) && r.kind !== null ? `${r.method}:${r.kind}` : r.method);
  return [...keys].join(',');
}
