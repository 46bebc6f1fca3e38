// Prompt back-off (docs/THREATS.md #38): a site whose prompts the person refused several times in
// a short while may not open another one for a pause. Its requests that would ask are refused with
// `rate_limited` at once meanwhile; what its rules allow is untouched (the check runs only where a
// request is about to ask). The rule itself is pure; the class around it keeps the state in memory
// and mirrors it into storage.session, so a worker restart does not lift a pause.
import type { SessionStore } from '../../vault/sessionStore.ts';
import type { ActivityWriter } from '../../db/activity.ts';
import type { Method } from '../../shared/methods.ts';
import { fail } from '../../shared/errors.ts';

export interface BackoffRule {
  /** This many refusals by the person… */
  refusals: number;
  /** …within this long… */
  withinMs: number;
  /** …pause the site's prompts this long, counted from the last of them. */
  pauseMs: number;
}

export const BACKOFF_RULE: BackoffRule = { refusals: 3, withinMs: 60_000, pauseMs: 60_000 };

/** Per site: the times of its recent refusals, and the end of a pause if one is running. */
export type BackoffState = Readonly<Record<string, { refusals: readonly number[]; until?: number }>>;

/** The state after the person refused a prompt of `origin` at `at`. */
export function noteRefusal(state: BackoffState, origin: string, at: number, rule: BackoffRule = BACKOFF_RULE): BackoffState {
  const next: Record<string, { refusals: readonly number[]; until?: number }> = {};
  // Sites with nothing recent and no running pause are dropped: the state stays small.
  for (const [o, s] of Object.entries(state)) {
    const refusals = s.refusals.filter((t) => at - t < rule.withinMs);
    const until = s.until !== undefined && s.until > at ? s.until : undefined;
    if (refusals.length || until !== undefined) next[o] = until === undefined ? { refusals } : { refusals, until };
  }
  const current = next[origin] ?? { refusals: [] };
  // A refusal counted during a pause (a prompt that was already open) does not extend it.
  if (current.until !== undefined) return next;
  const refusals = [...current.refusals, at];
  next[origin] = refusals.length >= rule.refusals ? { refusals: [], until: at + rule.pauseMs } : { refusals };
  return next;
}

/** When the pause of `origin` ends, or null if it may ask now. */
export function pausedUntil(state: BackoffState, origin: string, at: number): number | null {
  const until = state[origin]?.until;
  return until !== undefined && until > at ? until : null;
}

const SESSION_KEY = 'prompts.backoff';

export class Backoff {
  private state: BackoffState = {};

  constructor(
    private readonly session: SessionStore,
    private readonly now: () => number,
    private readonly rule: BackoffRule = BACKOFF_RULE,
  ) {}

  async load(): Promise<void> {
    this.state = (await this.session.get<BackoffState>(SESSION_KEY)) ?? {};
  }

  /** The person refused a prompt of this site (a Deny answer, or closing the prompt window on it). */
  refused(origin: string): void {
    this.state = noteRefusal(this.state, origin, this.now(), this.rule);
    void this.session.set(SESSION_KEY, this.state).catch(() => undefined);
  }

  pausedUntil(origin: string): number | null {
    return pausedUntil(this.state, origin, this.now());
  }
}

interface AskingRequest {
  origin: string;
  method: Method;
  kind: number | null;
}

/**
 * Called where a new request is about to ask: during a pause it is refused at once, and the
 * activity log says why (the page is told only that it must wait).
 */
export function refuseIfPaused(deps: { backoff: Backoff; activity: ActivityWriter; now: () => number }, req: AskingRequest): void {
  const until = deps.backoff.pausedUntil(req.origin);
  if (until === null) return;
  const now = deps.now();
  const seconds = Math.ceil((until - now) / 1000);
  deps.activity.push({
    origin: req.origin,
    method: req.method,
    kind: req.kind,
    outcome: 'rate_limited',
    reason: `Not asked: the prompts of this site were refused ${BACKOFF_RULE.refusals} times within a minute; it may ask again in ${seconds} s`,
    createdAt: now,
  });
  throw fail('rate_limited', 'Too many of this site’s requests were refused; try again later');
}
