import { describe, expect, it } from 'vitest';
import { alsoCovered, similarKey, siteKey } from './grouping.ts';
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

describe('prompt grouping', () => {
  const answered = p();
  const cases: [string, PromptInfo, { similar: boolean; site: boolean }][] = [
    ['same site, account, method and kind', p(), { similar: true, site: true }],
    ['another kind', p({ kind: 7 }), { similar: false, site: true }],
    ['another method', p({ method: 'nip44_decrypt', kind: null }), { similar: false, site: true }],
    ['another account', p({ accountId: 2 }), { similar: false, site: false }],
    ['another site', p({ origin: 'https://b.example' }), { similar: false, site: false }],
    ['waiting on an unlock', p({ need: 'unlock', accountId: 1 }), { similar: false, site: false }],
  ];
  it.each(cases)('%s', (_name, other, expected) => {
    expect(alsoCovered(answered, [other], { applyToSimilar: true }).length === 1).toBe(expected.similar);
    expect(alsoCovered(answered, [other], { applyToAllFromOrigin: true }).length === 1).toBe(expected.site);
    expect(alsoCovered(answered, [other], {})).toEqual([]);
    // The keys the prompt page counts with say the same as what an answer settles.
    expect(similarKey(other) === similarKey(answered)).toBe(expected.similar);
    expect(siteKey(other) !== null && siteKey(other) === siteKey(answered)).toBe(expected.site);
  });

  it('an unlock prompt settles nothing else, and unlock prompts group with each other for the queue', () => {
    const a = p({ need: 'unlock' });
    expect(alsoCovered(a, [p(), p({ need: 'unlock' })], { applyToAllFromOrigin: true })).toEqual([]);
    expect(similarKey(a)).toBe(similarKey(p({ need: 'unlock' })));
    expect(siteKey(a)).toBeNull();
  });
});
