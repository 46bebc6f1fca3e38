// A NIP-46 perms string imported into a site's grant: only what the grant lacks is added.
import type { Perm } from '../shared/perms.ts';
import { isLive } from '../policy/live.ts';
import type { Rule } from '../policy/records.ts';
import type { PolicyClock } from '../policy/decide.ts';
import type { WardenDb } from './schema.ts';
import { addRule, createGrant } from './policy.ts';
import { isConstrained } from '../policy/constraints.ts';

/**
 * Adds a rule for each perm the site's live grant does not already have with the same (method,
 * kind); makes a grant if there is none. Uncapped and unconstrained: a perms string carries no
 * caps, peers, relays or URLs.
 */
export function importPerms(db: WardenDb, origin: string, accountId: number, perms: readonly Perm[], clock: PolicyClock): Promise<{ grantId: number; added: Rule[]; present: Perm[] }> {
  return db.transaction('rw', db.grants, db.rules, async () => {
    const live = (await db.grants.where('[origin+accountId]').equals([origin, accountId]).toArray()).find((g) => isLive(g, clock.now, clock.sessionId));
    const grantId = live?.id ?? (await createGrant(db, { origin, accountId, rules: [] }, clock.now, clock.sessionId));
    const rules = (await db.rules.where('grantId').equals(grantId).toArray()).filter((r) => isLive(r, clock.now, clock.sessionId));
    const added: Rule[] = [];
    const present: Perm[] = [];
    for (const p of perms) {
      // Only a rule without constraints already allows what the perm names: one narrowed to some
      // peers, relays or URLs does not, so the perm is added beside it.
      if (rules.some((r) => r.method === p.method && r.kind === p.kind && !isConstrained(r))) present.push(p);
      else added.push(await addRule(db, grantId, { method: p.method, kind: p.kind }, clock.now));
    }
    return { grantId, added, present };
  });
}
