// The user's answer to a prompt: settle the request(s) and remember what the answer says.
import { npubEncode } from 'nostr-tools/nip19';
import { remoteLabel } from '../../../db/bunkerStore.ts';
import { fail } from '../../../shared/errors.ts';
import { kindName } from '../../../shared/kinds.ts';
import type { AdminParams, Duration, RuleInput } from '../../../shared/protocol.ts';
import { KIND_BLOSSOM_AUTH, KIND_HTTP_AUTH, KIND_RELAY_AUTH, personOf } from '../../../policy/constraints.ts';
import { isLive } from '../../../policy/live.ts';
import { presetById } from '../../../policy/presets.ts';
import { addOverride, addRule, createGrant } from '../../../db/policy.ts';
import { getSetting } from '../../../db/settings.ts';
import type { BackgroundContext } from '../../context.ts';
import type { Claimed, PromptInfo } from '../../prompts/queue.ts';
import { alsoCovered, bulkAnswerable, similarKey, siteKey } from '../../prompts/grouping.ts';
import type { AdminHandlers } from './types.ts';
import type { PromptView } from '../../../shared/adminResults.ts';

function lifetime(duration: Duration | undefined, now: number, sessionId: string) {
  if (duration === 'session') return { expiresAt: null, sessionId };
  return { expiresAt: typeof duration === 'number' ? now + duration * 1000 : null, sessionId: null };
}

/** Stores the remembered part of an answer: a preset grant, a grant rule for allow, an override for deny. */
async function remember(ctx: BackgroundContext, prompt: PromptInfo, p: AdminParams<'resolve_prompt'>): Promise<void> {
  const { now, sessionId } = ctx.clock();
  const life = lifetime(p.durationSeconds, now, sessionId);
  if (p.preset && p.decision === 'allow') {
    const { rules } = presetById(p.preset);
    await createGrant(ctx.db, { origin: prompt.origin, accountId: prompt.accountId, rules, expiresAt: life.expiresAt, sessionId: life.sessionId }, now, sessionId);
    return;
  }
  const { kind, method: _method, ...constraints } = rememberedScope(prompt, p.scope);
  if (p.decision === 'deny') {
    await addOverride(ctx.db, { origin: prompt.origin, accountId: prompt.accountId, method: prompt.method, kind, ...constraints, effect: 'deny', ...life }, now);
    return;
  }
  const rule = {
    method: prompt.method,
    kind,
    ...constraints,
    maxUsageCount: p.cap?.maxUsageCount ?? null,
    windowSeconds: p.cap?.windowSeconds ?? null,
  };
  await ctx.db.transaction('rw', ctx.db.grants, ctx.db.rules, async () => {
    const grants = await ctx.db.grants.where('[origin+accountId]').equals([prompt.origin, prompt.accountId]).toArray();
    const live = grants.find((g) => isLive(g, now, sessionId));
    const grantId = live?.id ?? (await createGrant(ctx.db, { origin: prompt.origin, accountId: prompt.accountId, rules: [] }, now, sessionId));
    await addRule(ctx.db, grantId, rule, now, life);
  });
}

/**
 * What a remembered answer covers: the kind, the whole method, or — "always for this person /
 * relay / URL" — the request's target (src/policy/constraints.ts). For a gift wrap the person is
 * the seal's sender and the rule covers direct messages only (giftWraps). A scope the request
 * has no target for is refused before anything is settled or stored.
 */
export function rememberedScope(prompt: Pick<PromptInfo, 'method' | 'kind' | 'target'>, scope: AdminParams<'resolve_prompt'>['scope']): RuleInput & { kind: number | null } {
  const t = prompt.target;
  const { method } = prompt;
  switch (scope) {
    case 'peer': {
      const person = personOf(t);
      if (!person) throw fail('invalid_request', 'This request names no person to remember the answer for');
      return t?.dm ? { method, kind: null, peers: [person], giftWraps: true } : { method, kind: null, peers: [person] };
    }
    case 'relay':
      if (!t?.relay || prompt.kind !== KIND_RELAY_AUTH) throw fail('invalid_request', 'This request names no relay to remember the answer for');
      return { method, kind: KIND_RELAY_AUTH, relays: [t.relay] };
    case 'url':
      if (!t?.url || (prompt.kind !== KIND_HTTP_AUTH && prompt.kind !== KIND_BLOSSOM_AUTH)) throw fail('invalid_request', 'This request names no URL to remember the answer for');
      // For HTTP auth the method is part of what was asked: a GET grant does not sign a DELETE.
      return { method, kind: prompt.kind, urls: [t.url], ...(prompt.kind === KIND_HTTP_AUTH && t.httpMethod ? { httpMethods: [t.httpMethod] } : {}) };
    case 'kind':
      // A decrypt's kind (1059 for a gift wrap) is a label, not a scope a rule can name.
      return { method, kind: prompt.method === 'sign_event' ? prompt.kind : null };
    default:
      return { method, kind: null };
  }
}

/** What a prompt page shows about a waiting request. */
async function view(ctx: BackgroundContext, prompt: PromptInfo, sensitiveKinds: readonly number[]): Promise<PromptView> {
  const { promptId, origin, method, kind, reason, details, createdAt, topOrigin, need } = prompt;
  const sensitive = kind !== null && sensitiveKinds.includes(kind);
  return {
    promptId, origin, method, kind, reason, details, createdAt,
    kindName: kind === null ? null : kindName(kind),
    sensitive,
    topOrigin: topOrigin ?? null,
    need: need ?? null,
    target: prompt.target ?? null,
    // The grouping keys: requests with equal keys are answered together (prompts/grouping.ts).
    group: similarKey(prompt),
    siteGroup: siteKey(prompt),
    bulk: bulkAnswerable(prompt, sensitiveKinds),
    // First contact: the site holds nothing yet and asks who you are.
    firstContact: method === 'get_public_key' && !need && !(await hasGrant(ctx, prompt)),
    // Which key signs (docs/THREATS.md #43); an unlock prompt has none chosen yet.
    ...(await accountOf(ctx, prompt)),
    // A remote client is named as it named itself, with its key beside it.
    ...(await remoteOf(ctx, origin)),
  };
}

async function remoteOf(ctx: BackgroundContext, origin: string): Promise<Pick<PromptView, 'remote'>> {
  const remote = await remoteLabel(ctx.db, origin);
  return remote ? { remote } : {};
}

async function accountOf(ctx: BackgroundContext, prompt: PromptInfo): Promise<Pick<PromptView, 'account'>> {
  const account = prompt.need ? undefined : await ctx.db.accounts.get(prompt.accountId);
  return account ? { account: { label: account.label, npub: npubEncode(account.pubkey) } } : {};
}

async function hasGrant(ctx: BackgroundContext, prompt: PromptInfo): Promise<boolean> {
  const { now, sessionId } = ctx.clock();
  const grants = await ctx.db.grants.where('[origin+accountId]').equals([prompt.origin, prompt.accountId]).toArray();
  return grants.some((g) => isLive(g, now, sessionId));
}

export const promptHandlers = {
  get_prompt: async (ctx, p) => {
    const prompt = ctx.prompts.get(p.promptId);
    if (!prompt) throw fail('not_found', 'That prompt is no longer waiting');
    ctx.prompts.markShown([prompt.promptId], ctx.now());
    return view(ctx, prompt, await getSetting(ctx.db, 'sensitiveKinds'));
  },
  list_prompts: async (ctx, p) => {
    // A request a remembered answer sent back through the guard keeps its place on screen for the
    // few milliseconds that takes (no flash of an empty window); it cannot be answered meanwhile,
    // and get_status.pending, which counts what waits for a person, leaves it out.
    const shown = ctx.prompts.list().filter((x) => p.windowId === undefined || (x.windowId ?? -1) === p.windowId);
    ctx.prompts.markShown(shown.map((x) => x.promptId), ctx.now());
    const sensitiveKinds = await getSetting(ctx.db, 'sensitiveKinds');
    return { prompts: await Promise.all(shown.map((x) => view(ctx, x, sensitiveKinds))) };
  },
  resolve_prompt: async (ctx, p) => {
    // A remembered scope the request cannot carry ("always for this relay" on a decrypt) is
    // refused before the prompt is claimed: it keeps waiting, nothing is stored.
    const peek = ctx.prompts.get(p.promptId);
    if (peek && !peek.need && !p.preset && p.scope && p.scope !== 'once') rememberedScope(peek, p.scope);
    // Claimed before anything is awaited: a second answer to the same id gets not_found.
    const first = ctx.prompts.claim(p.promptId);
    if (!first) throw fail('not_found', 'That prompt is no longer waiting');
    const prompt = first.info;
    // An unlock prompt is settled by unlocking, not by an answer: only "deny" (give up) is one.
    const others = alsoCovered(prompt, ctx.prompts.awaitingAnswer(), p, await getSetting(ctx.db, 'sensitiveKinds'));
    const claimed: Claimed[] = [first, ...others.flatMap((x) => ctx.prompts.claim(x.promptId) ?? [])];
    if (prompt.need) {
      // Declining to unlock is a refusal too: a site cannot pop unlock windows without end.
      ctx.backoff.refused(prompt.origin);
      first.refuse(fail('denied', 'The user chose not to unlock'));
      return {};
    }
    const remembers = (p.scope !== undefined && p.scope !== 'once') || p.preset !== undefined;
    try {
      if (remembers) await remember(ctx, prompt, p);
    } catch (err) {
      for (const c of claimed) c.refuse(fail('internal', 'The answer could not be stored'));
      throw err;
    }
    // One answer is one refusal for the back-off, however many requests it settles.
    if (p.decision === 'deny') ctx.backoff.refused(prompt.origin);
    for (const c of claimed) {
      if (p.decision === 'allow') c.settle('approved');
      else c.refuse(fail('denied', 'The user denied this request'));
    }
    // What the new rule or override covers proceeds (or is refused) without asking again.
    if (remembers) ctx.prompts.recheck((x) => x.origin === prompt.origin);
    return {};
  },
} satisfies Partial<AdminHandlers>;
