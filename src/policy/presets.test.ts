import { describe, expect, it } from 'vitest';
import { presetById } from './presets.ts';
import { constraintProblem } from './constraints.ts';

describe('presets', () => {
  it('Social client grants no relay AUTH for any relay: each relay asks (and can be remembered per relay)', () => {
    expect(presetById('social').rules.some((r) => r.method === 'sign_event' && r.kind === 22242)).toBe(false);
  });

  it('DM client reads gift wraps only, within a daily cap counted in messages, and grants no encrypt', () => {
    const { rules } = presetById('dm_client');
    expect(rules).toContainEqual({ method: 'nip44_decrypt', giftWraps: true, maxUsageCount: 1_000, windowSeconds: 86_400 });
    expect(rules.some((r) => r.method === 'nip44_encrypt' || r.method === 'nip04_encrypt' || (r.method === 'nip44_decrypt' && !r.giftWraps))).toBe(false);
  });

  it('every preset rule passes the write-time constraint check', () => {
    for (const id of ['pubkey_only', 'social', 'dm_client'] as const) {
      for (const r of presetById(id).rules) expect(constraintProblem(r.method, r.kind ?? null, r)).toBeNull();
    }
  });
});
