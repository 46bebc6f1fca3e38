// The event kinds as people read them: their names (NIP-01 and the NIPs that define them), which
// ones only a rule naming them may allow, and where a credential kind takes its bearer.

/**
 * Sensitive by default: only a rule (or allow override) naming the kind allows them, never a
 * method-wide one (docs/THREATS.md #30). Besides the profile (0), follow list (3), deletion (5) and
 * relay list (10002): what acts in the user's name elsewhere — a seal (13, a direct message in the
 * user's name), relay sign-in (22242), Nostr Connect (24133), Blossom (24242) and HTTP (27235)
 * authorization, a zap request (9734) — and lists that change what the user sees or receives: the
 * mute list (10000), the DM relay list (10050), and a request to vanish (62).
 */
export const DEFAULT_SENSITIVE_KINDS: readonly number[] = [0, 3, 5, 13, 62, 9734, 10000, 10002, 10050, 22242, 24133, 24242, 27235];

/** The default before credential kinds joined it: a stored list equal to it was never edited. */
export const FIRST_SENSITIVE_KINDS: readonly number[] = [0, 3, 5, 10002];
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
  62: 'Request to vanish',
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
  24242: 'Blossom authorization',
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

const tag = (tags: readonly string[][], name: string): string | undefined => tags.find((t) => t[0] === name)?.[1];

/**
 * What a credential kind signs the user in to, in words: the relay of an AUTH, the HTTP method and
 * URL of an HTTP authorization, the verb of a Blossom authorization. Null for other kinds.
 */
export function credentialTarget(kind: number, tags: readonly string[][]): string | null {
  switch (kind) {
    case 22242:
      return `signs you in to the relay ${tag(tags, 'relay') ?? '(no relay named)'}`;
    case 27235:
      return `authorizes ${(tag(tags, 'method') ?? '(no method)').toUpperCase()} ${tag(tags, 'u') ?? '(no URL named)'} in your name`;
    case 24242: {
      const verb = tag(tags, 't');
      const servers = tags.filter((t) => t[0] === 'server').map((t) => t[1]);
      return `authorizes a Blossom ${verb ? `"${verb}"` : '(no verb)'}${servers.length ? ` on ${servers.join(', ')}` : ''} in your name`;
    }
    case 24133:
      return 'a Nostr Connect (remote signer) message in your name';
    case 13:
      return 'seals a direct message in your name';
    default:
      return null;
  }
}
