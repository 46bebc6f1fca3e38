// How much of a rule's window is used, and when it frees: the one place that turns the signing
// log into a rule's usage. The guard decides with it, "Try a request" explains with it, and the
// popup, the options page and get_policies show it — so all of them always agree.
import { windowStart, type PolicyClock } from '../policy/decide.ts';
import type { Rule } from '../policy/records.ts';
import type { WardenDb } from './schema.ts';
import { countSince, freesAt, type Tail } from './signingLog.ts';

export interface Usage {
  /** Signing-log entries inside the rule's window (see `tail` below for the one exception). */
  used: number;
  /** The cap, or null for an uncapped rule. */
  limit: number | null;
  /** Entries after this time count (exclusive); -Infinity for a lifetime cap. */
  windowStart: number;
  /** When the count next drops (for a spent cap: below the cap); null if nothing is in the window or it never frees. */
  freesAt: number | null;
}

export interface UsageOptions {
  /**
   * The scope's newest entry, when the caller already has it (the guard's tail cache). A scope
   * whose newest entry has position n holds at most n entries, so when n is below the cap the
   * cap cannot be spent: `used` is then n, an upper bound that decides the same, with no seek.
   */
  tail?: Tail | null;
  /** 'always' (what the pages show), or 'if_spent' (the guard: only a refusal says when it frees). */
  frees?: 'always' | 'if_spent';
}

export async function ruleUsage(
  db: WardenDb,
  owner: { origin: string; accountId: number },
  rule: Pick<Rule, 'method' | 'kind' | 'maxUsageCount' | 'windowSeconds'>,
  clock: Pick<PolicyClock, 'now'>,
  opts: UsageOptions = {},
): Promise<Usage> {
  const scope = { origin: owner.origin, accountId: owner.accountId, method: rule.method, kind: rule.kind };
  const start = windowStart(rule, clock.now);
  const limit = rule.maxUsageCount;
  const { tail } = opts;
  const used =
    tail === undefined
      ? await countSince(db, scope, start)
      : !tail
        ? 0
        : tail.seq < (limit ?? Infinity)
          ? tail.seq
          : await countSince(db, scope, start, tail);
  const spent = limit !== null && used >= limit;
  const wantFrees = used > 0 && rule.windowSeconds !== null && (opts.frees === 'always' || spent);
  // The entry whose leaving brings the count below the cap (or, below the cap, the oldest one).
  const frees = wantFrees ? await freesAt(db, scope, start, rule.windowSeconds! * 1000, used, Math.min(used, limit ?? used)) : null;
  return { used, limit, windowStart: start, freesAt: frees };
}
