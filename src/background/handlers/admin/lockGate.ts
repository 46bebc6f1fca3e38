// Locked means locked (docs/THREATS.md #31): while the vault is locked, or holds no key, an admin
// call that would allow more, keep less of the log, or delete data is refused with `locked` and
// changes nothing; one that tightens goes through. Every method is classified here, once, around
// the route table (no handler checks the lock itself); the comparisons are the ones the restore
// plan labels its changes with (src/policy/impact.ts).
import { constraintFields } from '../../../policy/constraints.ts';
import { fail } from '../../../shared/errors.ts';
import type { AdminMethod, AdminParams } from '../../../shared/protocol.ts';
import { takesKind } from '../../../shared/methods.ts';
import { isLive } from '../../../policy/live.ts';
import {
  autoLockImpact,
  combine,
  grantReplaceImpact,
  overrideAddImpact,
  overrideLiftImpact,
  patchRule,
  retentionImpact,
  ruleAddImpact,
  ruleDeleteImpact,
  ruleUpdateImpact,
  sensitiveKindsImpact,
  type Impact,
} from '../../../policy/impact.ts';
import { getSetting } from '../../../db/settings.ts';
import { getRetention } from '../../../db/retention.ts';
import { parseBackup } from '../../../db/backupFile.ts';
import { planImpact, planRestore } from '../../../db/restorePlan.ts';
import type { BackgroundContext } from '../../context.ts';
import type { AdminHandlers } from './types.ts';

/**
 * What a call does to the policy: `read` changes nothing; `destroys` deletes data (refused like
 * loosening); a function reads the current state to compare (the rule being changed, the override
 * being lifted, the settings now).
 */
export type GateClass<M extends AdminMethod> = Impact | 'read' | 'destroys' | ((ctx: BackgroundContext, params: AdminParams<M>) => Promise<Impact>);

const live = (ctx: BackgroundContext) => {
  const { now, sessionId } = ctx.clock();
  return (r: { createdAt: number; expiresAt?: number | null; revokedAt?: number | null; sessionId?: string | null }) => isLive(r, now, sessionId);
};

/** The account a call means, or undefined where there is none to mean (then nothing here is compared). */
function accountOf(ctx: BackgroundContext, accountId?: number): number | undefined {
  try {
    return ctx.vault.accountIdOrActive(accountId);
  } catch {
    return undefined;
  }
}

async function liveGrantOf(ctx: BackgroundContext, origin: string, accountId: number | undefined) {
  if (accountId === undefined) return undefined;
  const isLiveNow = live(ctx);
  const grant = (await ctx.db.grants.where('[origin+accountId]').equals([origin, accountId]).toArray()).find(isLiveNow);
  if (!grant) return undefined;
  return { grant, rules: (await ctx.db.rules.where('grantId').equals(grant.id).toArray()).filter(isLiveNow) };
}

/** Whether applying a backup would loosen; a file that does not parse is left to the handler to refuse. */
async function restoreImpact(ctx: BackgroundContext, p: AdminParams<'restore_apply'>): Promise<Impact> {
  const parsed = parseBackup(p.backup);
  if (!parsed.ok) return 'neutral';
  const tables = [ctx.db.accounts, ctx.db.grants, ctx.db.rules, ctx.db.overrides, ctx.db.settings];
  const plan = await ctx.db.transaction('r', tables, () => planRestore(ctx.db, parsed.backup, ctx.clock()));
  const impact = planImpact(plan, p.acceptLoosening === true);
  // A first-run restore (no key here at all) brings its own keys, which must open under the
  // password it gives and become the only keys: there is no lock to get around, so it may apply
  // what it loosens. With a key here, the vault must be unlocked first.
  const bringsTheVault = !ctx.vault.status().hasAccount && plan.changes.some((c) => c.type === 'add_account');
  return impact === 'loosens' && bringsTheVault ? 'neutral' : impact;
}

/** Every admin method, classified: a method missing here fails `npm run typecheck`. */
export const LOCK_CLASSES: { [M in AdminMethod]: GateClass<M> } = {
  get_status: 'read',
  // Adding a key checks the vault password itself (a second key must open under the same one).
  create_account: 'neutral',
  import_account: 'neutral',
  list_accounts: 'read',
  select_account: 'neutral',
  export_account: 'read',
  unlock: 'neutral',
  lock: 'tightens',
  get_policies: 'read',
  grant: async (ctx, p) => {
    const current = await liveGrantOf(ctx, p.origin, accountOf(ctx, p.accountId));
    const sensitive = await getSetting(ctx.db, 'sensitiveKinds');
    const rules = p.rules.map((r) => ({ method: r.method, kind: takesKind(r.method) ? (r.kind ?? null) : null, maxUsageCount: r.maxUsageCount ?? null, windowSeconds: r.windowSeconds ?? null, ...constraintFields(r) }));
    const proposed = { expiresAt: p.expiresAt ?? null, onCapReached: p.onCapReached ?? 'deny', rules };
    return grantReplaceImpact(current && { ...current.grant, rules: current.rules }, proposed, sensitive);
  },
  add_policy_rule: async (ctx, { grantId, ...rule }) => {
    const grant = await ctx.db.grants.get(grantId);
    // A missing grant is the handler's not_found; a rule on a dead grant allows nothing.
    if (!grant || !live(ctx)(grant)) return 'neutral';
    const rules = (await ctx.db.rules.where('grantId').equals(grantId).toArray()).filter(live(ctx));
    const proposed = { method: rule.method, kind: takesKind(rule.method) ? (rule.kind ?? null) : null, maxUsageCount: rule.maxUsageCount ?? null, windowSeconds: rule.windowSeconds ?? null, ...constraintFields(rule) };
    return ruleAddImpact({ grantExpiresAt: grant.expiresAt, rules }, proposed, grant.expiresAt, await getSetting(ctx.db, 'sensitiveKinds'));
  },
  update_policy_rule: async (ctx, { ruleId, ...patch }) => {
    const rule = await ctx.db.rules.get(ruleId);
    if (!rule) return 'neutral';
    return ruleUpdateImpact(rule, patchRule(rule, patch), await getSetting(ctx.db, 'sensitiveKinds'));
  },
  delete_policy_rule: async (ctx, p) => {
    const rule = await ctx.db.rules.get(p.ruleId);
    return rule ? ruleDeleteImpact(rule) : 'neutral';
  },
  revoke_grant: 'tightens',
  set_override: async (_ctx, p) => overrideAddImpact([], { method: p.method, kind: p.kind ?? null, effect: p.effect, ...constraintFields(p) }),
  revoke_override: async (ctx, p) => {
    const row = await ctx.db.overrides.get(p.overrideId);
    return row ? overrideLiftImpact({ effect: row.effect, live: live(ctx)(row) }) : 'neutral';
  },
  get_signing_log: 'read',
  export_signing_log: 'read',
  verify_log: 'read',
  get_activity: 'read',
  // Remembering an allow adds a grant rule (or a preset grant); a deny or a one-off answer adds none.
  resolve_prompt: async (_ctx, p) => {
    const remembers = (p.scope !== undefined && p.scope !== 'once') || p.preset !== undefined;
    if (p.decision === 'deny') return remembers ? 'tightens' : 'neutral';
    return remembers ? 'loosens' : 'neutral';
  },
  get_prompt: 'read',
  list_prompts: 'read',
  get_settings: 'read',
  // Relays are neutral: they say where events go, not what is allowed.
  set_settings: async (ctx, p) =>
    combine([
      p.sensitiveKinds === undefined ? 'neutral' : sensitiveKindsImpact(await getSetting(ctx.db, 'sensitiveKinds'), p.sensitiveKinds),
      p.autoLockMinutes === undefined ? 'neutral' : autoLockImpact(await getSetting(ctx.db, 'autoLockMinutes'), p.autoLockMinutes),
    ]),
  explain_request: 'read',
  rename_account: 'neutral',
  delete_account: 'destroys',
  get_tab_site: 'read',
  pause_site: 'tightens',
  // Lifting a pause lifts deny overrides.
  resume_site: 'loosens',
  query_activity: 'read',
  export_perms: 'read',
  // A perms string only ever adds allowances.
  import_perms: 'loosens',
  get_retention: 'read',
  set_retention: async (ctx, p) => retentionImpact(await getRetention(ctx.db), p),
  // Pruning applies the retention already chosen (and run by the alarm anyway).
  prune_now: 'neutral',
  backup_export: 'read',
  restore_preview: 'read',
  restore_apply: restoreImpact,
  get_site_view: 'read',
  list_sites: 'read',
  // Stopping all signing tightens (it works locked and with no key); resuming loosens.
  set_kill_switch: async (_ctx, p) => (p.on ? 'tightens' : 'loosens'),
  // The bunker (docs/THREATS.md, Remote signing): a token or an accepted client is a new grant;
  // starting it opens a door for remote requests. Stopping it, revoking a token or cutting a
  // client off tightens.
  bunker_start: 'loosens',
  bunker_stop: 'tightens',
  bunker_status: 'read',
  create_connect_token: 'loosens',
  accept_nostrconnect: 'loosens',
  revoke_connect_token: 'tightens',
  list_connect_tokens: 'read',
  end_remote_client: 'tightens',
};

export const LOCKED_MESSAGE = 'Unlock to loosen: while the signer is locked it refuses what would allow more, keep less of the log or delete data';

type AnyHandler = (ctx: BackgroundContext, params: unknown) => Promise<unknown>;
type AnyClass = Impact | 'read' | 'destroys' | ((ctx: BackgroundContext, params: unknown) => Promise<Impact>);

/**
 * While locked, writes are judged and run one at a time, so a state read for the judgement is
 * still the state the handler changes (a call judged against a rule cannot run after another
 * call loosened that rule meanwhile). Per context: each worker start has its own.
 */
const lines = new WeakMap<BackgroundContext, Promise<unknown>>();

function inLine<T>(ctx: BackgroundContext, task: () => Promise<T>): Promise<T> {
  const run = (lines.get(ctx) ?? Promise.resolve()).then(task, task);
  lines.set(ctx, run.catch(() => {}));
  return run;
}

async function judge(ctx: BackgroundContext, cls: AnyClass, params: unknown): Promise<Impact | 'destroys'> {
  if (cls === 'read') return 'neutral';
  return typeof cls === 'function' ? cls(ctx, params) : cls;
}

/** The route table with the gate around every handler. */
export function lockGate(handlers: AdminHandlers, classes: { [M in AdminMethod]: GateClass<M> } = LOCK_CLASSES): AdminHandlers {
  const gated: Record<string, AnyHandler> = {};
  for (const method of Object.keys(handlers) as AdminMethod[]) {
    const handler = handlers[method] as AnyHandler;
    const cls = classes[method] as AnyClass;
    gated[method] = (ctx, params) => {
      if (cls === 'read' || !ctx.vault.locked) return handler(ctx, params);
      return inLine(ctx, async () => {
        // Unlocked while it waited in line: nothing to refuse.
        if (ctx.vault.locked) {
          const impact = await judge(ctx, cls, params);
          if (impact === 'loosens' || impact === 'destroys') throw fail('locked', LOCKED_MESSAGE);
        }
        return handler(ctx, params);
      });
    };
  }
  return gated as AdminHandlers;
}
