// What the admin methods about the signing log answer: its pages, the export with its hash
// chain, a verification, and retention. Part of adminResults.ts (which re-exports it), kept
// apart because the log's shapes are a subject of their own. Type-only: no code here.
import type { Method } from './methods.ts';
import type { Page } from './adminResults.ts';

export interface LogRow {
  id: number;
  origin: string;
  accountId: number;
  method: Method;
  kind: number | null;
  createdAt: number;
  eventId?: string;
}

/** A signing-log entry with every field its hash covers (absent ones as null) and the chain. */
export interface ChainedLogRow {
  id: number;
  origin: string;
  accountId: number;
  method: Method;
  kind: number | null;
  createdAt: number;
  grantId: number | null;
  eventId: string | null;
  requestId: string | null;
  seqMethod: number | null;
  seqKind: number | null;
  /** The person an encrypt or decrypt was judged by (hashed only when present). */
  peer: string | null;
  prevHash: string | null;
  hash: string | null;
}

/** A run of entries retention removed: the hash before it and the hash of its last entry. */
export interface LogCheckpoint {
  prevHash: string;
  lastHash: string;
  fromId: number;
  toId: number;
  removed: number;
}

/**
 * A page of the export. `head` (the hash of the newest entry ever appended) comes with the first
 * page, read with it; `checkpoints` with the last page, read after every entry.
 */
export interface ExportPage extends Page<ChainedLogRow> {
  head?: string | null;
  checkpoints?: LogCheckpoint[];
}

export interface LogVerification {
  /** Entries checked: all of them when intact, those before the break otherwise. */
  entries: number;
  intact: boolean;
  /** The first entry that was altered, removed or is out of place. */
  firstBrokenId?: number;
  checkedAt: number;
}

export interface Retention {
  activityDays: number | null;
  signingLogDays: number | null;
}

export interface PruneResult {
  activityDeleted: number;
  signingLogDeleted: number;
  /** Entries older than the retention that were kept because a live cap still counts them. */
  signingLogKept: number;
}

