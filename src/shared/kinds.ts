// Names of the event kinds a prompt is likely to show (NIP-01 and the NIPs that define them).
const NAMES: Record<number, string> = {
  0: 'Profile metadata',
  1: 'Short text note',
  3: 'Follow list',
  4: 'Encrypted direct message (NIP-04)',
  5: 'Deletion request',
  6: 'Repost',
  7: 'Reaction',
  8: 'Badge award',
  13: 'Seal',
  14: 'Chat message',
  16: 'Generic repost',
  1059: 'Gift wrap',
  1063: 'File metadata',
  1111: 'Comment',
  1984: 'Report',
  9734: 'Zap request',
  9735: 'Zap receipt',
  10000: 'Mute list',
  10001: 'Pinned notes',
  10002: 'Relay list',
  10050: 'DM relay list',
  13194: 'Wallet info',
  22242: 'Relay authentication',
  23194: 'Wallet request',
  24133: 'Nostr Connect',
  27235: 'HTTP authentication',
  30000: 'Follow set',
  30023: 'Long-form article',
  30078: 'Application data',
};

export function kindName(kind: number): string {
  const named = NAMES[kind];
  if (named) return named;
  if (kind >= 20000 && kind < 30000) return 'Ephemeral event';
  if (kind >= 30000 && kind < 40000) return 'Addressable event';
  if (kind >= 10000 && kind < 20000) return 'Replaceable event';
  return 'Event';
}
