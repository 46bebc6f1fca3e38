import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatPerms, parsePerms } from './perms.ts';
import { METHODS } from './methods.ts';

describe('parsePerms', () => {
  it.each<[string, unknown]>([
    ['sign_event:1,nip44_encrypt', [{ method: 'sign_event', kind: 1 }, { method: 'nip44_encrypt', kind: null }]],
    [' sign_event : 1 ', 'error'],
    [' sign_event:1 , get_public_key ,', [{ method: 'sign_event', kind: 1 }, { method: 'get_public_key', kind: null }]],
    ['', []],
    ['sign_event,sign_event,sign_event:0,sign_event:0', [{ method: 'sign_event', kind: null }, { method: 'sign_event', kind: 0 }]],
    ['connect', 'error'],
    ['nip04_decrypt:4', 'error'],
    ['sign_event:70000', 'error'],
    ['sign_event:-1', 'error'],
    ['sign_event:1;drop', 'error'],
  ])('%j', (text, expected) => {
    const r = parsePerms(text);
    if (expected === 'error') expect(r.ok).toBe(false);
    else expect(r).toEqual({ ok: true, perms: expected });
  });

  it('an error names the bad item and never returns a partial list', () => {
    expect(parsePerms('sign_event:1,switch_relays')).toEqual({ ok: false, error: 'unknown method: "switch_relays"' });
  });
});

describe('formatPerms', () => {
  it('orders by method then kind, drops duplicates and caps', () => {
    expect(
      formatPerms([
        { method: 'nip44_encrypt', kind: null },
        { method: 'sign_event', kind: 7 },
        { method: 'sign_event', kind: 1 },
        { method: 'sign_event', kind: 1 },
        { method: 'get_public_key', kind: null },
      ]),
    ).toBe('get_public_key,sign_event:1,sign_event:7,nip44_encrypt');
  });

  it('property: parse(format(x)) gives back the same set', () => {
    const perm = fc.oneof(
      fc.record({ method: fc.constant('sign_event' as const), kind: fc.option(fc.integer({ min: 0, max: 65_535 }), { nil: null }) }),
      fc.record({ method: fc.constantFrom(...METHODS.filter((m) => m !== 'sign_event')), kind: fc.constant(null) }),
    );
    fc.assert(
      fc.property(fc.array(perm, { maxLength: 30 }), (perms) => {
        const text = formatPerms(perms);
        const back = parsePerms(text);
        expect(back.ok).toBe(true);
        if (!back.ok) return;
        const key = (p: { method: string; kind: number | null }) => `${p.method}:${p.kind}`;
        expect(new Set(back.perms.map(key))).toEqual(new Set(perms.map(key)));
        expect(formatPerms(back.perms)).toBe(text);
      }),
    );
  });
});
