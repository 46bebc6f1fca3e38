// Which waiting requests belong together: the one rule behind "also answer the N like it",
// "apply to all from this site" and the prompt's collapsed queue. The prompt page shows the keys
// and flags it is sent and never works out its own, so what it counts is what an answer settles.
import type { PromptInfo } from './queue.ts';

type Keyed = Pick<PromptInfo, 'origin' | 'accountId' | 'method' | 'kind' | 'need' | 'details'>;

/**
 * The other party of an encrypt or decrypt: one conversation's answer never reads another's. For a
 * gift wrap that is the seal's sender, not the wrap's one-time key: a burst of wraps from one
 * person is one group, one prompt.
 */
const peerOf = (p: Keyed): string | null => (p.details.type === 'peer' ? (p.details.dm?.sender ?? p.details.pubkey) : null);

/** Requests with the same key look the same: same site, account, method, kind and peer. */
export function similarKey(p: Keyed): string {
  return JSON.stringify([p.need ? `need:${p.need}` : 'ask', p.origin, p.accountId, p.method, p.kind, peerOf(p)]);
}

/** Requests of one site and account; null for one waiting on an unlock (no answer settles it). */
export function siteKey(p: Keyed): string | null {
  return p.need ? null : JSON.stringify([p.origin, p.accountId]);
}

/** A sensitive kind is answered only on its own, never as part of a bulk answer. */
export function bulkAnswerable(p: Pick<PromptInfo, 'kind' | 'need'>, sensitiveKinds: readonly number[]): boolean {
  return !p.need && (p.kind === null || !sensitiveKinds.includes(p.kind));
}

export interface Coverage {
  applyToSimilar?: boolean | undefined;
  applyToAllFromOrigin?: boolean | undefined;
  /**
   * The ids that were on screen when the person answered: nothing else is settled. Without them
   * (the older form of the call), only requests that were already waiting when the answered one
   * was first shown.
   */
  promptIds?: readonly string[] | undefined;
}

/** The other waiting requests an answer to `answered` settles too (none for an unlock prompt). */
export function alsoCovered(answered: Keyed & Pick<PromptInfo, 'shownAt' | 'createdAt'>, waiting: readonly PromptInfo[], how: Coverage, sensitiveKinds: readonly number[]): PromptInfo[] {
  if (answered.need || (!how.applyToAllFromOrigin && !how.applyToSimilar)) return [];
  const site = siteKey(answered);
  const similar = similarKey(answered);
  const seen = how.promptIds ? new Set(how.promptIds) : null;
  const shownAt = answered.shownAt ?? answered.createdAt;
  return waiting.filter(
    (x) =>
      (how.applyToAllFromOrigin ? siteKey(x) === site : similarKey(x) === similar) &&
      bulkAnswerable(x, sensitiveKinds) &&
      (seen ? seen.has(x.promptId) : x.createdAt <= shownAt),
  );
}
