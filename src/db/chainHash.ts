// The signing log's hash chain, as plain functions: the canonical form of an entry, its hash, and
// a walker that checks entries in id order. No database here, so the exact rules are easy to read
// and to test; docs/ARCHITECTURE.md (Signing-log hash chain) states them for people and for
// scripts/verify-log.mjs, which repeats them in plain Node.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { SigningLogEntry } from '../policy/records.ts';

/** The prevHash of the very first entry of a profile. */
export const GENESIS = '0'.repeat(64);
/** The first element of every canonical form: a later change of the form gets a new tag. */
export const CHAIN_TAG = 'warden-log/1';

/** The fields an entry's hash covers, in this order. The row id is not among them (see the doc). */
export const CANONICAL_FIELDS = ['origin', 'accountId', 'method', 'kind', 'createdAt', 'grantId', 'eventId', 'requestId', 'seqMethod', 'seqKind'] as const;

/**
 * Fields added to entries after the form above was fixed: each is appended after the fixed fields
 * only when the entry has it, so the hashes of entries written before it stay what they were, and
 * removing it from an entry (or adding it) changes the hash. `peer` is what a per-peer cap counts by.
 */
export const TRAILING_FIELDS = ['peer'] as const;

type Field = (typeof CANONICAL_FIELDS)[number] | (typeof TRAILING_FIELDS)[number];
/** An entry as stored (optional fields absent) or as exported (absent fields null). */
export type CanonicalEntry = Pick<SigningLogEntry, 'origin' | 'accountId' | 'method' | 'createdAt'> & {
  [K in Exclude<Field, 'origin' | 'accountId' | 'method' | 'createdAt'>]?: SigningLogEntry[K] | null;
};

/**
 * The canonical form: the JSON array [tag, prevHash, …the fields above in order, …the trailing
 * fields the entry has], written by JSON.stringify (no whitespace), an absent fixed field written as null.
 */
export function canonicalText(prevHash: string, entry: CanonicalEntry): string {
  const fields = entry as Record<string, unknown>;
  const trailing = TRAILING_FIELDS.flatMap((f) => (fields[f] === undefined || fields[f] === null ? [] : [fields[f]]));
  return JSON.stringify([CHAIN_TAG, prevHash, ...CANONICAL_FIELDS.map((f) => fields[f] ?? null), ...trailing]);
}

const utf8 = new TextEncoder();

/** Synchronous on purpose: it runs inside a Dexie transaction, where awaiting crypto.subtle would commit it. */
export function entryHash(prevHash: string, entry: CanonicalEntry): string {
  return bytesToHex(sha256(utf8.encode(canonicalText(prevHash, entry))));
}

/**
 * A run of entries retention removed: the hash before the run (prevHash) and the hash of its
 * last entry (lastHash), so the entry after the run still links to what came before it.
 */
export interface Checkpoint {
  prevHash: string;
  lastHash: string;
  fromId: number;
  toId: number;
  removed: number;
}

const HEX64 = /^[0-9a-f]{64}$/;
/** Adjacent runs are merged when recorded; the bound only stops a crafted loop of checkpoints. */
const MAX_HOPS = 10_000;

export type StepResult = { ok: true } | { ok: false; id: number; why: 'hash' | 'link' };

/**
 * Checks entries given in ascending id order. A broken entry is named by its id; where the break
 * is a missing link and ids are missing just before it, by the first missing id that no
 * checkpoint accounts for (the entry most likely removed).
 */
export class ChainWalker {
  entries = 0;
  private expected = GENESIS;
  private lastId = 0;
  /** Whether the head was met on the walked chain (an entry's hash, or a checkpoint passed over). */
  private headSeen = false;

  /**
   * @param head the head the database (or the export) keeps, when known before the walk: it may
   *   trail the newest entries (it is written behind them), so meeting it anywhere on the chain
   *   is enough.
   */
  constructor(
    private checkpoints: ReadonlyMap<string, Checkpoint>,
    private readonly head: string | null = null,
  ) {}

  setCheckpoints(checkpoints: ReadonlyMap<string, Checkpoint>): void {
    this.checkpoints = checkpoints;
  }

  /** Whether `target` follows the hash `from` directly or across removed runs. */
  private links(from: string, target: string): boolean {
    let h = target;
    let metHead = false;
    for (let i = 0; i <= MAX_HOPS; i++) {
      if (h === from) {
        if (metHead) this.headSeen = true;
        return true;
      }
      const cp = this.checkpoints.get(h);
      if (!cp) return false;
      // A head inside a removed run (retention pruned it): passing over the run meets it.
      if (cp.lastHash === this.head) metHead = true;
      h = cp.prevHash;
    }
    return false;
  }

  /** The first id after the last good entry that no checkpoint accounts for, if it comes before `id`. */
  private missingOr(id: number): number {
    let m = this.lastId + 1;
    for (let moved = true; moved && m < id; ) {
      moved = false;
      for (const cp of this.checkpoints.values()) {
        if (cp.fromId <= m && m <= cp.toId) {
          m = cp.toId + 1;
          moved = true;
        }
      }
    }
    return Math.min(m, id);
  }

  step(e: CanonicalEntry & { id: number; prevHash?: unknown; hash?: unknown }): StepResult {
    if (typeof e.hash !== 'string' || typeof e.prevHash !== 'string' || !HEX64.test(e.hash) || !HEX64.test(e.prevHash) || entryHash(e.prevHash, e) !== e.hash) {
      return { ok: false, id: e.id, why: 'hash' };
    }
    if (!this.links(this.expected, e.prevHash)) return { ok: false, id: this.missingOr(e.id), why: 'link' };
    this.entries++;
    if (e.hash === this.head) this.headSeen = true;
    this.expected = e.hash;
    this.lastId = e.id;
    return { ok: true };
  }

  /**
   * The head the database keeps (the hash of the newest committed entry, written behind it) must
   * lie on the chain: met during the walk, or reached from its end across removed runs. Otherwise
   * entries were removed from the end. Returns the first missing id, or null. `head` defaults to
   * the one given to the constructor.
   */
  finish(head: string | null = this.head): number | null {
    if (head === null) return this.entries === 0 ? null : this.lastId + 1;
    if (head === this.head && this.headSeen) return null;
    return this.links(this.expected, head) ? null : this.missingOr(Number.MAX_SAFE_INTEGER);
  }
}
