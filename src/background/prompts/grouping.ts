// Which waiting requests belong together: the one rule behind "also answer the N like it",
// "apply to all from this site" and the prompt's collapsed queue. The prompt page shows the keys
// it is sent and never works out its own, so what it counts is what an answer settles.
import type { PromptInfo } from './queue.ts';

type Keyed = Pick<PromptInfo, 'origin' | 'accountId' | 'method' | 'kind' | 'need'>;

/** Requests with the same key look the same: same site, account, method and kind. */
export function similarKey(p: Keyed): string {
  return JSON.stringify([p.need ? `need:${p.need}` : 'ask', p.origin, p.accountId, p.method, p.kind]);
}

/** Requests of one site and account; null for one waiting on an unlock (no answer settles it). */
export function siteKey(p: Keyed): string | null {
  return p.need ? null : JSON.stringify([p.origin, p.accountId]);
}

export interface Coverage {
  applyToSimilar?: boolean | undefined;
  applyToAllFromOrigin?: boolean | undefined;
}

/** The other waiting requests an answer to `answered` settles too (none for an unlock prompt). */
export function alsoCovered(answered: Keyed, waiting: readonly PromptInfo[], how: Coverage): PromptInfo[] {
  if (answered.need) return [];
  const site = siteKey(answered);
  const similar = similarKey(answered);
  return waiting.filter((x) => (how.applyToAllFromOrigin ? siteKey(x) === site : how.applyToSimilar === true && similarKey(x) === similar));
}
