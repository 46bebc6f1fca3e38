// Failed password checks slow down (docs/THREATS.md #33): after 3 wrong passwords in a row each
// further try waits, twice as long every time (1 s, 2 s, 4 s … at most 15 minutes), refused with
// rate_limited until then. The state is kept in the database, so neither a worker restart nor a
// browser restart resets it; a right password does.
import { fail } from '../shared/errors.ts';

export interface BackoffState {
  failures: number;
  /** No check before this time (epoch ms); 0 = none. */
  until: number;
}

export const NO_BACKOFF: BackoffState = { failures: 0, until: 0 };
const FREE_TRIES = 3;
const MAX_WAIT_MS = 15 * 60_000;

/** Refuses a check that comes too soon after the last wrong password. */
export function assertMayTry(state: BackoffState, now: number): void {
  if (now < state.until) {
    throw fail('rate_limited', `Too many wrong passwords: try again in ${Math.ceil((state.until - now) / 1000)} s`);
  }
}

export function afterFailure(state: BackoffState, now: number): BackoffState {
  const failures = state.failures + 1;
  const wait = failures < FREE_TRIES ? 0 : Math.min(MAX_WAIT_MS, 1000 * 2 ** (failures - FREE_TRIES));
  return { failures, until: wait ? now + wait : 0 };
}
