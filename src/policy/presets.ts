// Named grants offered when a site first asks for the public key. Pure data: the prompt shows
// exactly what the background will store.
import type { RuleInput } from '../shared/protocol.ts';

export interface Preset {
  id: 'pubkey_only' | 'social' | 'dm_client';
  label: string;
  summary: string;
  rules: RuleInput[];
}

const DAY = 86_400;

export const PRESETS: readonly Preset[] = [
  {
    id: 'pubkey_only',
    label: 'Read my public key only',
    summary: 'The site may see who you are. Everything else asks.',
    rules: [{ method: 'get_public_key' }],
  },
  {
    id: 'social',
    label: 'Social client',
    // Relay sign-in (kind 22242) is a credential: not granted for any relay. Each relay asks the
    // first time, and "always for this relay" remembers that one (docs/ARCHITECTURE.md, Constraints).
    summary: 'Public key, and within daily caps: notes, reactions and reposts. Signing in to a relay asks once per relay. Everything else asks.',
    rules: [
      { method: 'get_public_key' },
      { method: 'sign_event', kind: 1, maxUsageCount: 200, windowSeconds: DAY },
      { method: 'sign_event', kind: 7, maxUsageCount: 500, windowSeconds: DAY },
      { method: 'sign_event', kind: 6, maxUsageCount: 100, windowSeconds: DAY },
    ],
  },
  {
    id: 'dm_client',
    label: 'DM client',
    // Reading NIP-17 messages: a gift wrap is opened only if it holds a seal (src/policy/giftWrap.ts),
    // within a daily cap counted in messages. Writing to someone asks per person.
    summary: 'Public key, and reading your direct messages (up to 1,000 a day). Writing to someone asks once per person. Everything else asks.',
    rules: [
      { method: 'get_public_key' },
      { method: 'nip44_decrypt', giftWraps: true, maxUsageCount: 1_000, windowSeconds: DAY },
    ],
  },
];

export function presetById(id: Preset['id']): Preset {
  return PRESETS.find((p) => p.id === id)!;
}
