// "Pause site" and "Resume": a site's method-wide deny overrides, added and lifted together.
import { POLICY_METHODS, type Method } from '../shared/methods.ts';
import { isLive } from '../policy/live.ts';
import type { Override } from '../policy/records.ts';
import type { PolicyClock } from '../policy/decide.ts';
import type { WardenDb } from './schema.ts';
import { addOverride } from './policy.ts';

/** A pause denies every method with a policy of its own (the others follow theirs). */
export const PAUSE_METHODS = POLICY_METHODS;

/** Paused: a live method-wide deny override for every method a pause covers. */
export function isPaused(overrides: readonly { method: Method; kind: number | null; effect: Override['effect']; live: boolean }[]): boolean {
  return PAUSE_METHODS.every((m) => overrides.some((o) => o.live && o.effect === 'deny' && o.kind === null && o.method === m));
}

/** Pause = a live method-wide deny override for every method; returns the ids it added. */
export function pauseSite(db: WardenDb, origin: string, accountId: number, clock: PolicyClock, expiresAt: number | null = null): Promise<number[]> {
  return db.transaction('rw', db.overrides, async () => {
    const live = (await db.overrides.where('[origin+accountId]').equals([origin, accountId]).toArray()).filter((o) => isLive(o, clock.now, clock.sessionId));
    const added: number[] = [];
    for (const method of PAUSE_METHODS) {
      if (live.some((o) => o.effect === 'deny' && o.kind === null && o.method === method && o.expiresAt == null)) continue;
      added.push(await addOverride(db, { origin, accountId, method, kind: null, effect: 'deny', expiresAt }, clock.now));
    }
    return added;
  });
}

/** Resume = lift every live method-wide deny override of the site (deny overrides for one kind stay). */
export function resumeSite(db: WardenDb, origin: string, accountId: number, clock: PolicyClock): Promise<number> {
  return db.transaction('rw', db.overrides, async () => {
    const rows = (await db.overrides.where('[origin+accountId]').equals([origin, accountId]).toArray()).filter(
      (o) => o.effect === 'deny' && o.kind === null && isLive(o, clock.now, clock.sessionId),
    );
    for (const o of rows) await db.overrides.update(o.id, { revokedAt: clock.now });
    return rows.length;
  });
}
