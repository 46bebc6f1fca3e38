import { describe, expect, it } from 'vitest';
import { CONSEQUENTIAL_METHODS, isConsequential, METHOD_TABLE, METHODS, POLICY_METHODS, policyMethod, specOf, takesKind } from './methods.ts';
import { nip07ParamSchemas } from './protocol.ts';

describe('the method table', () => {
  it.each(METHODS)('%s has one page call, a params schema that takes exactly its arguments, and its texts', (method) => {
    const spec = specOf(method);
    expect(METHODS.filter((m) => METHOD_TABLE[m].call === spec.call)).toEqual([method]);
    const shape = (nip07ParamSchemas[method] as unknown as { shape: Record<string, unknown> }).shape;
    expect(Object.keys(shape).sort()).toEqual([...spec.args].sort());
    expect(spec.label && spec.prompt && spec.noun[0] && spec.noun[1]).toBeTruthy();
    expect(spec.subject === 'peer').toBe(spec.peer !== undefined);
  });

  it('a borrowed policy belongs to a method with its own, and is never one whose caps count', () => {
    for (const m of METHODS) {
      const borrowed = policyMethod(m);
      expect(policyMethod(borrowed)).toBe(borrowed);
      if (borrowed !== m) expect(isConsequential(m)).toBe(false);
    }
    expect(POLICY_METHODS).toEqual(METHODS.filter((m) => policyMethod(m) === m));
    expect(POLICY_METHODS).not.toContain('get_relays');
  });

  it('derived lists', () => {
    expect(CONSEQUENTIAL_METHODS).toEqual(['sign_event', 'nip04_encrypt', 'nip04_decrypt', 'nip44_encrypt', 'nip44_decrypt']);
    expect(METHODS.filter(takesKind)).toEqual(['sign_event']);
    expect(takesKind('not_a_method')).toBe(false);
  });
});
