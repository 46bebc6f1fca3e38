// Named grants offered when a site first asks for the public key. Pure data: the prompt shows
// exactly what the background will store.
import type { RuleInput } from '../shared/protocol.ts';

export interface Preset {
  id: 'pubkey_only' | 'social';
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
    summary: 'Public key, and within daily caps: notes, reactions, reposts and relay sign-in. Everything else asks.',
    rules: [
      { method: 'get_public_key' },
      { method: 'sign_event', kind: 1, maxUsageCount: 200, windowSeconds: DAY },
      { method: 'sign_event', kind: 7, maxUsageCount: 500, windowSeconds: DAY },
      { method: 'sign_event', kind: 6, maxUsageCount: 100, windowSeconds: DAY },
      { method: 'sign_event', kind: 22242, maxUsageCount: 200, windowSeconds: DAY },
    ],
  },
];

export function presetById(id: Preset['id']): Preset {
  return PRESETS.find((p) => p.id === id)!;
}
