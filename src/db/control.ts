// Writes and reads behind the popup and options pages that the core admin RPC does not cover:
// pausing a site, importing a NIP-46 perms string into a grant, filtered activity pages.
import Dexie from 'dexie';
import type { Method } from '../shared/methods.ts';
import type { Perm } from '../shared/perms.ts';
import { isLive } from '../policy/live.ts';
import type { ActivityEntry, Outcome, Rule } from '../policy/records.ts';
import type { PolicyClock } from '../policy/decide.ts';
import type { WardenDb } from './schema.ts';
import { keysetPage, type Page } from './keyset.ts';
import { addOverride, addRule, createGrant } from './policy.ts';

/** The methods a pause denies (get_relays follows get_public_key). */
export const PAUSE_METHODS: readonly Method[] = ['get_public_key', 'sign_event', 'nip04_encrypt', 'nip04_decrypt', 'nip44_encrypt', 'nip44_decrypt'];

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

/**
 * Adds a rule for each perm the site's live grant does not already have with the same (method,
 * kind); makes a grant if there is none. Uncapped: a perms string carries no caps.
 */
export function importPerms(db: WardenDb, origin: string, accountId: number, perms: readonly Perm[], clock: PolicyClock): Promise<{ grantId: number; added: Rule[]; present: Perm[] }> {
  return db.transaction('rw', db.grants, db.rules, async () => {
    const live = (await db.grants.where('[origin+accountId]').equals([origin, accountId]).toArray()).find((g) => isLive(g, clock.now, clock.sessionId));
    const grantId = live?.id ?? (await createGrant(db, { origin, accountId, rules: [] }, clock.now, clock.sessionId));
    const rules = (await db.rules.where('grantId').equals(grantId).toArray()).filter((r) => isLive(r, clock.now, clock.sessionId));
    const added: Rule[] = [];
    const present: Perm[] = [];
    for (const p of perms) {
      if (rules.some((r) => r.method === p.method && r.kind === p.kind)) present.push(p);
      else added.push(await addRule(db, grantId, { method: p.method, kind: p.kind }, clock.now));
    }
    return { grantId, added, present };
  });
}

export interface ActivityQuery {
  origin?: string | undefined;
  method?: Method | undefined;
  outcome?: Outcome | undefined;
  before?: number | undefined;
  limit: number;
}

/** Newest first, keyset-paged by id; the origin is a key range, method and outcome a filter over it (activity is bounded). */
export function queryActivity(db: WardenDb, q: ActivityQuery): Promise<Page<ActivityEntry>> {
  const upper = q.before ?? Dexie.maxKey;
  let c = q.origin ? db.activity.where('[origin+id]').between([q.origin, Dexie.minKey], [q.origin, upper], true, false) : db.activity.where('id').below(upper);
  if (q.method || q.outcome) c = c.filter((e) => (!q.method || e.method === q.method) && (!q.outcome || e.outcome === q.outcome));
  return keysetPage(c, q.limit);
}
