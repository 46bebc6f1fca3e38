import { describe, expect, it } from 'vitest';
import { alsoCovered, bulkAnswerable, similarKey, siteKey } from './grouping.ts';
import type { PromptInfo } from './queue.ts';

let n = 0;
const p = (extra: Partial<PromptInfo> = {}): PromptInfo => ({
  promptId: `p${++n}`,
  origin: 'https://a.example',
  accountId: 1,
  method: 'sign_event',
  kind: 1,
  reason: 'no rule',
  details: { type: 'none' },
  createdAt: 0,
  ...extra,
});
const SENSITIVE = [0, 3, 22242];
const PEER_A = { type: 'peer' as const, pubkey: 'a'.repeat(64) };
const PEER_B = { type: 'peer' as const, pubkey: 'b'.repeat(64) };

describe('prompt grouping', () => {
  const answered = p();
  const cases: [string, PromptInfo, { similar: boolean; site: boolean }][] = [
    ['same site, account, method and kind', p(), { similar: true, site: true }],
    ['another kind', p({ kind: 7 }), { similar: false, site: true }],
    ['another method', p({ method: 'nip44_decrypt', kind: null, details: PEER_A }), { similar: false, site: true }],
    ['another account', p({ accountId: 2 }), { similar: false, site: false }],
    ['another site', p({ origin: 'https://b.example' }), { similar: false, site: false }],
    ['waiting on an unlock', p({ need: 'unlock', accountId: 1 }), { similar: false, site: false }],
    ['a sensitive kind of the site', p({ kind: 3 }), { similar: false, site: false }],
  ];
  it.each(cases)('%s', (_name, other, expected) => {
    expect(alsoCovered(answered, [other], { applyToSimilar: true }, SENSITIVE).length === 1).toBe(expected.similar);
    expect(alsoCovered(answered, [other], { applyToAllFromOrigin: true }, SENSITIVE).length === 1).toBe(expected.site);
    expect(alsoCovered(answered, [other], {}, SENSITIVE)).toEqual([]);
    // The keys and flag the prompt page counts with say the same as what an answer settles.
    const bulk = bulkAnswerable(other, SENSITIVE);
    expect(similarKey(other) === similarKey(answered) && bulk).toBe(expected.similar);
    expect(siteKey(other) !== null && siteKey(other) === siteKey(answered) && bulk).toBe(expected.site);
  });

  it('decrypts of another conversation are not "like it"', () => {
    const shown = p({ method: 'nip44_decrypt', kind: null, details: PEER_A });
    const sameChat = p({ method: 'nip44_decrypt', kind: null, details: PEER_A });
    const otherChat = p({ method: 'nip44_decrypt', kind: null, details: PEER_B });
    expect(alsoCovered(shown, [sameChat, otherChat], { applyToSimilar: true }, SENSITIVE)).toEqual([sameChat]);
  });

  it('only what was on screen: the ids sent, or (without them) what waited when the answered one was shown', () => {
    const shown = p({ createdAt: 10, shownAt: 20 });
    const before = p({ createdAt: 15 });
    const late = p({ createdAt: 25 });
    expect(alsoCovered(shown, [before, late], { applyToAllFromOrigin: true }, SENSITIVE)).toEqual([before]);
    expect(alsoCovered(shown, [before, late], { applyToAllFromOrigin: true, promptIds: [shown.promptId, late.promptId] }, SENSITIVE)).toEqual([late]);
    expect(alsoCovered(shown, [before, late], { applyToSimilar: true, promptIds: [] }, SENSITIVE)).toEqual([]);
  });

  it('an unlock prompt settles nothing else, and unlock prompts group with each other for the queue', () => {
    const a = p({ need: 'unlock' });
    expect(alsoCovered(a, [p(), p({ need: 'unlock' })], { applyToAllFromOrigin: true }, SENSITIVE)).toEqual([]);
    expect(similarKey(a)).toBe(similarKey(p({ need: 'unlock' })));
    expect(siteKey(a)).toBeNull();
  });
});
