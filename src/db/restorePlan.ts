// What a restore would change, and applying exactly that. A restore merges a backup into the
// policy that is here now and never silently loosens it: every change is listed first with its
// impact ('loosens' = allows more than now, or keeps less of the log to check it by; 'tightens';
// 'neutral'), decided by src/policy/impact.ts, the comparison the lock gate uses too; changes that
// loosen are applied only when the user accepted them (and the vault is unlocked, see
// handlers/admin/lockGate.ts); where the local policy is stricter it is kept. Text from the file
// (key labels, relay names) appears in change lines only quoted (docs/THREATS.md #31).
import { constraintFields } from '../policy/constraints.ts';
import { isLive } from '../policy/live.ts';
import type { PolicyClock } from '../policy/decide.ts';
import type { Grant, Rule } from '../policy/records.ts';
import { autoLockImpact, combine, overrideAddImpact, retentionImpact, ruleAddImpact, sensitiveKindsImpact } from '../policy/impact.ts';
import type { WardenDb } from './schema.ts';
import type { Change, Impact, RestorePlan } from '../shared/adminResults.ts';
import type { Backup } from './backupFile.ts';
import { getSetting, setSetting } from './settings.ts';
import { quoted } from '../shared/quoted.ts';
import { getRetention, setRetention } from './retention.ts';
import { addOverride, addRule, createGrant } from './policy.ts';

export type { Change, Impact, RestorePlan };
export { quoted };

const scopeText = (method: string, kind: number | null) => (kind === null ? method : `${method} kind ${kind}`);
const WINDOWS: Record<number, string> = { 60: 'minute', 3600: 'hour', 86400: 'day', 604800: 'week' };
const capText = (r: { maxUsageCount: number | null; windowSeconds: number | null }) =>
  r.maxUsageCount === null ? 'uncapped' : `${r.maxUsageCount} per ${r.windowSeconds === null ? 'lifetime' : (WINDOWS[r.windowSeconds] ?? `${r.windowSeconds} s`)}`;
const until = (t: number | null | undefined) => t ?? Infinity;

/** FNV-1a, twice (two seeds): a synchronous fingerprint (usable inside a Dexie transaction). */
function fingerprint(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return `${a.toString(16).padStart(8, '0')}${b.toString(16).padStart(8, '0')}`;
}

const KEEPS_LESS = 'keeps less of the log: loosens what you can check';

/** Reads the local state; must run inside a transaction over accounts, grants, rules, overrides, settings. */
export async function planRestore(db: WardenDb, backup: Backup, clock: PolicyClock): Promise<RestorePlan> {
  const live = (r: { createdAt: number; expiresAt?: number | null; revokedAt?: number | null; sessionId?: string | null }) => isLive(r, clock.now, clock.sessionId);
  const accounts = await db.accounts.toArray();
  const idOf = new Map(accounts.map((a) => [a.pubkey, a.id]));
  const sensitive = await getSetting(db, 'sensitiveKinds');
  const changes: Change[] = [];
  const kept: string[] = [];

  for (const a of backup.accounts) {
    if (!idOf.has(a.pubkey)) changes.push({ type: 'add_account', pubkey: a.pubkey, label: a.label, impact: 'neutral', text: `add the key ${quoted(a.label)} (${a.pubkey.slice(0, 12)}…)` });
  }

  // Policy for a key that is neither here nor in the file could never apply: it is left out, said so.
  const known = new Set([...idOf.keys(), ...backup.accounts.map((a) => a.pubkey)]);
  const unknownKey = (origin: string, pubkey: string) => kept.push(`${origin}: for the key ${pubkey.slice(0, 12)}…, which is neither here nor in the file: left out`);

  for (const g of backup.grants) {
    if (!live({ ...g, revokedAt: null })) continue;
    if (!known.has(g.account)) {
      unknownKey(g.origin, g.account);
      continue;
    }
    const accountId = idOf.get(g.account);
    const local: Grant | undefined = accountId === undefined ? undefined : (await db.grants.where('[origin+accountId]').equals([g.origin, accountId]).toArray()).find(live);
    const rules = g.rules.filter((r) => until(r.expiresAt) > clock.now);
    if (!local) {
      changes.push({ type: 'add_grant', origin: g.origin, account: g.account, rules, expiresAt: g.expiresAt, onCapReached: g.onCapReached, impact: rules.length ? 'loosens' : 'neutral', text: `grant ${g.origin}: ${rules.map((r) => `${scopeText(r.method, r.kind)} (${capText(r)})`).join(', ') || 'no rules'}` });
      continue;
    }
    const localRules: Rule[] = (await db.rules.where('grantId').equals(local.id).toArray()).filter(live);
    for (const r of rules) {
      const what = `${g.origin}: ${scopeText(r.method, r.kind)} (${capText(r)})`;
      // The same comparison the lock gate makes for add_policy_rule (src/policy/impact.ts).
      const impact = ruleAddImpact({ grantExpiresAt: local.expiresAt, rules: localRules }, r, g.expiresAt, sensitive);
      if (impact === 'neutral') kept.push(`${what}: already allowed here, as strictly or more`);
      else changes.push({ type: 'add_rule', origin: g.origin, account: g.account, rule: r, impact, text: impact === 'loosens' ? `allow ${what}` : `add the cap ${what}` });
    }
    if (g.onCapReached === 'deny' && local.onCapReached === 'ask')
      changes.push({ type: 'cap_reached_deny', origin: g.origin, account: g.account, impact: 'tightens', text: `${g.origin}: refuse (instead of asking) once a cap is spent` });
  }

  for (const o of backup.overrides) {
    if (!live({ ...o, revokedAt: null })) continue;
    if (!known.has(o.account)) {
      unknownKey(o.origin, o.account);
      continue;
    }
    const accountId = idOf.get(o.account);
    const locals = accountId === undefined ? [] : (await db.overrides.where('[origin+accountId]').equals([o.origin, accountId]).toArray()).filter(live);
    const what = `${o.effect} override ${o.origin}: ${scopeText(o.method, o.kind)}`;
    const impact = overrideAddImpact(locals, o);
    if (impact === 'neutral') kept.push(`${what}: already here`);
    else changes.push({ type: 'add_override', origin: o.origin, account: o.account, method: o.method, kind: o.kind, effect: o.effect, expiresAt: o.expiresAt, constraints: constraintFields(o), impact, text: `${o.effect} ${o.origin}: ${scopeText(o.method, o.kind)}` });
  }

  // Settings merge toward the stricter side: sensitive kinds are only added, auto-lock only shortened.
  const s = backup.settings;
  const union = [...new Set([...sensitive, ...s.sensitiveKinds])].sort((a, b) => a - b);
  if (sensitiveKindsImpact(sensitive, union) === 'tightens')
    changes.push({ type: 'setting', key: 'sensitiveKinds', value: union, impact: 'tightens', text: `treat kinds ${union.filter((k) => !sensitive.includes(k)).join(', ')} as sensitive too` });
  const autoLock = await getSetting(db, 'autoLockMinutes');
  if (autoLockImpact(autoLock, s.autoLockMinutes) === 'tightens')
    changes.push({ type: 'setting', key: 'autoLockMinutes', value: s.autoLockMinutes, impact: 'tightens', text: `auto-lock after ${s.autoLockMinutes} idle minutes (now ${autoLock || 'never'})` });
  const relays = await getSetting(db, 'relays');
  if (!Object.keys(relays).length && Object.keys(s.relays).length)
    changes.push({ type: 'setting', key: 'relays', value: s.relays, impact: 'neutral', text: `relays: ${Object.keys(s.relays).map(quoted).join(', ')}` });
  const retention = await getRetention(db);
  if (retention.activityDays !== s.retention.activityDays || retention.signingLogDays !== s.retention.signingLogDays) {
    const impact = retentionImpact(retention, s.retention);
    const days = (d: number | null) => (d === null ? 'forever' : `${d} days`);
    const text = `keep activity ${days(s.retention.activityDays)} (now ${days(retention.activityDays)}), signing log ${days(s.retention.signingLogDays)} (now ${days(retention.signingLogDays)}); a cap's entries are always kept`;
    changes.push({ type: 'setting', key: 'retention', value: s.retention, impact, text: impact === 'loosens' ? `${text} — ${KEEPS_LESS}` : text });
  }

  return { planId: fingerprint(JSON.stringify(changes.filter((c) => c.type !== 'add_account'))), changes, kept };
}

/** Whether applying a plan (with or without the loosening part) would loosen anything: what the lock gate asks. */
export function planImpact(plan: RestorePlan, acceptLoosening: boolean): Impact {
  return combine(plan.changes.filter((c) => acceptLoosening || c.impact !== 'loosens').map((c) => c.impact));
}

/**
 * Applies the policy part of a plan (accounts are added before, by the vault). Runs inside the
 * caller's read-write transaction, right after planRestore read the same state.
 */
export async function applyPlan(db: WardenDb, plan: RestorePlan, acceptLoosening: boolean, clock: PolicyClock): Promise<{ applied: number; skipped: number }> {
  const idOf = new Map((await db.accounts.toArray()).map((a) => [a.pubkey, a.id]));
  const account = (pubkey: string) => {
    const id = idOf.get(pubkey);
    if (id === undefined) throw new Error('restore: an account of the backup is missing');
    return id;
  };
  let applied = 0;
  let skipped = 0;
  for (const c of plan.changes) {
    if (c.type === 'add_account') continue;
    if (c.impact === 'loosens' && !acceptLoosening) {
      skipped++;
      continue;
    }
    applied++;
    if (c.type === 'add_grant') {
      const grantId = await createGrant(db, { origin: c.origin, accountId: account(c.account), rules: [], expiresAt: c.expiresAt, onCapReached: c.onCapReached }, clock.now, clock.sessionId);
      for (const r of c.rules) await addRule(db, grantId, r, clock.now, { expiresAt: r.expiresAt });
    } else if (c.type === 'add_rule' || c.type === 'cap_reached_deny') {
      const grant = (await db.grants.where('[origin+accountId]').equals([c.origin, account(c.account)]).toArray()).find((g) => isLive(g, clock.now, clock.sessionId));
      if (!grant) throw new Error('restore: the grant changed meanwhile');
      if (c.type === 'add_rule') await addRule(db, grant.id, c.rule, clock.now, { expiresAt: c.rule.expiresAt });
      else await db.grants.update(grant.id, { onCapReached: 'deny' });
    } else if (c.type === 'add_override') {
      await addOverride(db, { origin: c.origin, accountId: account(c.account), method: c.method, kind: c.kind, effect: c.effect, expiresAt: c.expiresAt, ...c.constraints }, clock.now);
    } else if (c.key === 'retention') await setRetention(db, c.value as never);
    else await setSetting(db, c.key, c.value as never);
  }
  return { applied, skipped };
}
