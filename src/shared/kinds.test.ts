import { describe, expect, it } from 'vitest';
import { credentialTarget, DEFAULT_SENSITIVE_KINDS, kindName } from './kinds.ts';

describe('credential kinds', () => {
  it.each([
    [22242, [['relay', 'wss://relay.example'], ['challenge', 'x']], 'signs you in to the relay wss://relay.example'],
    [22242, [['challenge', 'x']], 'signs you in to the relay (no relay named)'],
    [27235, [['u', 'https://api.example/upload'], ['method', 'post']], 'authorizes POST https://api.example/upload in your name'],
    [27235, [], 'authorizes (NO METHOD) (no URL named) in your name'],
    [24242, [['t', 'delete'], ['x', 'ab'], ['server', 'https://cdn.example']], 'authorizes a Blossom "delete" on https://cdn.example in your name'],
    [13, [], 'seals a direct message in your name'],
    [1, [['u', 'https://x.example']], null],
  ] as const)('kind %i with %j → %s', (kind, tags, expected) => {
    expect(credentialTarget(kind, tags.map((t) => [...t]))).toBe(expected);
  });

  it('every credential kind is sensitive by default and has a name', () => {
    for (const kind of [13, 22242, 24133, 24242, 27235, 9734, 10000, 10050, 62, 0, 3, 5, 10002]) {
      expect(DEFAULT_SENSITIVE_KINDS).toContain(kind);
      expect(kindName(kind)).not.toMatch(/^(Event|Replaceable event|Ephemeral event)$/);
    }
  });
});
