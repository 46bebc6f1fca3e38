import type { Lifecycle } from './records.ts';

/**
 * The single lifecycle predicate for grants, rules and overrides. Expiry and revocation are
 * exclusive at `now` (a grant expiring at `now` is already dead) so a boundary never allows.
 */
export function isLive(record: Lifecycle, now: number, sessionId: string): boolean {
  if (record.revokedAt != null && record.revokedAt <= now) return false;
  if (record.expiresAt != null && record.expiresAt <= now) return false;
  if (record.sessionId != null && record.sessionId !== sessionId) return false;
  return true;
}
