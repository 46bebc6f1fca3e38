// Stored record shapes (docs/ARCHITECTURE.md, Data model). Plain data: the policy reads them, the db stores them.
import type { Method } from '../shared/methods.ts';
import type { Constraints } from './constraints.ts';

/** The one lifecycle every grant, rule and override goes through (see isLive). */
export interface Lifecycle {
  createdAt: number;
  expiresAt?: number | null;
  revokedAt?: number | null;
  /** Set for "until the browser closes": live only within the browser session that made it. */
  sessionId?: string | null;
}

export type CapReachedAction = 'deny' | 'ask';

export interface Grant extends Lifecycle {
  id: number;
  origin: string;
  accountId: number;
  onCapReached: CapReachedAction;
}

/** A rule's constraints (src/policy/constraints.ts) are optional: a rule stored before them has none. */
export interface Rule extends Lifecycle, Constraints {
  id: number;
  grantId: number;
  method: Method;
  /** null = any kind (except the sensitive kinds, which only a rule naming them allows). */
  kind: number | null;
  /** null = uncapped. */
  maxUsageCount: number | null;
  /** null = lifetime. */
  windowSeconds: number | null;
}

export type Effect = 'allow' | 'deny';

export interface Override extends Lifecycle, Constraints {
  id: number;
  origin: string;
  accountId: number;
  method: Method;
  kind: number | null;
  effect: Effect;
}

export interface SigningLogEntry {
  id: number;
  origin: string;
  accountId: number;
  method: Method;
  kind?: number;
  createdAt: number;
  grantId?: number;
  eventId?: string;
  /**
   * Encrypt/decrypt: the person the decision judged (the pubkey in the params, or for a NIP-17
   * layer the seal's sender), so a cap on a rule with `peers` counts only its peers.
   */
  peer?: string;
  /** The page's id for the call: a re-send after a worker stop finds it and is not run again. */
  requestId?: string;
  /** 1, 2, 3… within (origin, account, method): lets a window be counted with two index seeks. */
  seqMethod?: number;
  /** 1, 2, 3… within (origin, account, method, kind), for sign_event. */
  seqKind?: number;
  /** The hash of the entry before it in the profile's chain (64 hex; the first entry: 64 zeros). */
  prevHash?: string;
  /** SHA-256 over prevHash and this entry's canonical fields (docs/ARCHITECTURE.md, Signing-log hash chain). */
  hash?: string;
  /**
   * What allowed it, as the activity list says it: the entry is also that request's activity row
   * (src/db/activity.ts). Display text, not covered by the hash. Absent on entries written before
   * the fold, whose activity row is in the activity table.
   */
  reason?: string;
}

/** What the activity log says became of a request. */
export const OUTCOMES = ['allowed', 'denied', 'cap_exceeded', 'asked', 'invalid_request', 'locked', 'no_account', 'timeout', 'rate_limited'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface ActivityEntry {
  id: number;
  origin: string;
  method: Method;
  kind: number | null;
  outcome: Outcome;
  reason: string;
  /** When the row began. */
  createdAt: number;
  /**
   * How many decisions the row stands for when repeated refusals collapsed into it (absent: one).
   * See ActivityWriter in src/db/activity.ts and docs/THREATS.md #34.
   */
  count?: number;
}

export interface Account {
  id: number;
  pubkey: string;
  label: string;
  ncryptsec: string;
  createdAt: number;
}
