// Everything the popup shows about one site, in one read: its grants (the live one first, with
// each rule's live usage and when its window frees up), its overrides, whether it is paused, and
// its latest activity. Read again each time an open popup hears of a change, so it costs a few
// index seeks per rule whatever the size of the signing log.
import { remoteLabel } from '../db/bunkerStore.ts';
import type { PolicyClock } from '../policy/decide.ts';
import { isLive } from '../policy/live.ts';
import { constraintFields } from '../policy/constraints.ts';
import type { Grant, Override, Rule } from '../policy/records.ts';
import type { WardenDb } from '../db/schema.ts';
import { ruleUsage } from '../db/usage.ts';
import { isPaused } from '../db/sitePause.ts';
import { pageActivity } from '../db/activity.ts';
import type { GrantFields, GrantView, RuleUsage, SiteView } from '../shared/adminResults.ts';

/** A grant's fields as every admin result shows them (absent times as null). */
export function grantFields(g: Grant): GrantFields {
  const { id, origin, accountId, createdAt, onCapReached } = g;
  return { id, origin, accountId, createdAt, expiresAt: g.expiresAt ?? null, revokedAt: g.revokedAt ?? null, onCapReached };
}

const overrideView = (o: Override, clock: PolicyClock) => ({
  id: o.id,
  origin: o.origin,
  accountId: o.accountId,
  method: o.method,
  kind: o.kind,
  ...constraintFields(o),
  effect: o.effect,
  createdAt: o.createdAt,
  expiresAt: o.expiresAt ?? null,
  revokedAt: o.revokedAt ?? null,
  live: isLive(o, clock.now, clock.sessionId),
});

/** A rule with its live usage; a rule that is not live counts nothing. */
export async function ruleView(db: WardenDb, grant: Grant, rule: Rule, clock: PolicyClock, live: boolean): Promise<RuleUsage> {
  const { used, freesAt } = live ? await ruleUsage(db, grant, rule, clock, { frees: 'always' }) : { used: 0, freesAt: null };
  return {
    id: rule.id,
    method: rule.method,
    kind: rule.kind,
    maxUsageCount: rule.maxUsageCount,
    windowSeconds: rule.windowSeconds,
    ...constraintFields(rule),
    createdAt: rule.createdAt,
    expiresAt: rule.expiresAt ?? null,
    live,
    used,
    freesAt,
  };
}

/** A site's grants (live first, then newest), for one account; past grants' rules without usage. */
export async function siteView(db: WardenDb, origin: string, accountId: number | null, clock: PolicyClock, activityLimit: number): Promise<SiteView> {
  const remote = await remoteLabel(db, origin);
  return db.transaction('r', [db.grants, db.rules, db.overrides, db.signingLog, db.logTally, db.activity], async () => {
    const grants = accountId === null ? [] : await db.grants.where('[origin+accountId]').equals([origin, accountId]).toArray();
    const overrides = accountId === null ? [] : await db.overrides.where('[origin+accountId]').equals([origin, accountId]).toArray();
    grants.sort((a, b) => Number(isLive(b, clock.now, clock.sessionId)) - Number(isLive(a, clock.now, clock.sessionId)) || b.id - a.id);
    const views: GrantView[] = [];
    for (const g of grants.slice(0, 20)) {
      const live = isLive(g, clock.now, clock.sessionId);
      const rules = await db.rules.where('grantId').equals(g.id).toArray();
      views.push({
        ...grantFields(g),
        live,
        rules: await Promise.all(rules.map((r) => ruleView(db, g, r, clock, live && isLive(r, clock.now, clock.sessionId)))),
      });
    }
    const ov = overrides.map((o) => overrideView(o, clock));
    const paused = isPaused(ov);
    // Both tables: an allowed request's row is its signing-log entry (src/db/activity.ts).
    const activity = activityLimit ? (await pageActivity(db, { origin, limit: activityLimit })).entries : [];
    return { origin, accountId, grants: views, overrides: ov.sort((a, b) => Number(b.live) - Number(a.live) || b.id - a.id), paused, activity, ...(remote ? { remote } : {}) };
  });
}

/** Every site the signer knows of (grants, overrides, signing-log-free: cheap), newest first. */
export async function knownSites(db: WardenDb): Promise<string[]> {
  const [g, o] = await Promise.all([db.grants.orderBy('origin').uniqueKeys(), db.overrides.orderBy('origin').uniqueKeys()]);
  return [...new Set([...g, ...o].map(String))].sort();
}
