import type { Lifecycle } from './records.ts';

/**
 * The single lifecycle predicate for grants, rules and overrides. A revocation is absolute: once
 * `revokedAt` is set the record is dead whatever the clock says, so setting the system clock back
 * revives nothing (docs/THREATS.md #39). Expiry is exclusive at `now` (a grant expiring at `now`
 * is already dead) so a boundary never allows.
 */
export function isLive(record: Lifecycle, now: number, sessionId: string): boolean {
  if (record.revokedAt != null) return false;
  if (record.expiresAt != null && record.expiresAt <= now) return false;
  if (record.sessionId != null && record.sessionId !== sessionId) return false;
  return true;
}
