// The NIP-46 bunker's stores (Dexie version 7 in schema.ts): connect tokens, the clients that
// connected, the request ids seen (replays), and the bunker's own key and relays. Kept apart from
// schema.ts so the bunker's rows are described in one place (docs/ARCHITECTURE.md, Remote signing).
import type { RuleInput } from '../shared/protocol.ts';

/**
 * A connect token (nsecbunkerd's token): the `secret` of a bunker:// URL. Stored by the SHA-256
 * of the secret, so a copy of the database does not hand out connections.
 */
export interface BunkerTokenRow {
  hash: string;
  label: string;
  rules: RuleInput[];
  /** How many clients may still connect with it, counted up in `used`. */
  uses: number;
  used: number;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

/** A remote client that connected: its origin for the policy is `nip46:<pubkey>`. */
export interface BunkerClientRow {
  pubkey: string;
  origin: string;
  name: string | null;
  url: string | null;
  connectedAt: number;
  /** The token it connected with (its hash), or null for an accepted nostrconnect:// URI. */
  tokenHash: string | null;
  /** Set by logout or a revoke from the options page: the client is a stranger again. */
  endedAt: number | null;
}

/** A request already answered (or refused): by client and NIP-46 request id, and by event id. */
export interface BunkerSeenRow {
  client: string;
  requestId: string;
  seenAt: number;
}

/** `identity`: the bunker's own key pair (not a user key); `config`: enabled and relays. */
export interface BunkerStateRow {
  key: 'identity' | 'config';
  value: unknown;
}

export const SCHEMA_V7 = {
  bunkerTokens: 'hash, createdAt',
  bunkerClients: 'pubkey, connectedAt',
  bunkerSeen: '[client+requestId], seenAt',
  bunkerState: 'key',
} as const;
