// The user's answer to a prompt: settle the request(s) and remember what the answer says.
import { fail } from '../../../shared/errors.ts';
import type { AdminParams, Duration } from '../../../shared/protocol.ts';
import { isLive } from '../../../policy/live.ts';
import { addOverride, addRule, createGrant } from '../../../db/policy.ts';
import type { BackgroundContext } from '../../context.ts';
import type { PromptInfo } from '../../prompts/queue.ts';
import type { AdminHandlers } from './types.ts';

function lifetime(duration: Duration | undefined, now: number, sessionId: string) {
  if (duration === 'session') return { expiresAt: null, sessionId };
  return { expiresAt: typeof duration === 'number' ? now + duration * 1000 : null, sessionId: null };
}

/** Stores the remembered part of an answer: a grant rule for allow, an override for deny. */
async function remember(ctx: BackgroundContext, prompt: PromptInfo, p: AdminParams<'resolve_prompt'>): Promise<void> {
  const { now, sessionId } = ctx.clock();
  const life = lifetime(p.durationSeconds, now, sessionId);
  const kind = p.scope === 'kind' ? prompt.kind : null;
  if (p.decision === 'deny') {
    await addOverride(ctx.db, { origin: prompt.origin, accountId: prompt.accountId, method: prompt.method, kind, effect: 'deny', ...life }, now);
    return;
  }
  const rule = {
    method: prompt.method,
    kind,
    maxUsageCount: p.cap?.maxUsageCount ?? null,
    windowSeconds: p.cap?.windowSeconds ?? null,
  };
  await ctx.db.transaction('rw', ctx.db.grants, ctx.db.rules, async () => {
    const grants = await ctx.db.grants.where('[origin+accountId]').equals([prompt.origin, prompt.accountId]).toArray();
    const live = grants.find((g) => isLive(g, now, sessionId));
    if (live) await addRule(ctx.db, live.id, rule, now, life);
    else {
      const grantId = await createGrant(ctx.db, { origin: prompt.origin, accountId: prompt.accountId, rules: [] }, now, sessionId);
      await addRule(ctx.db, grantId, rule, now, life);
    }
  });
}

export const promptHandlers = {
  get_prompt: async (ctx, p) => {
    const prompt = ctx.prompts.get(p.promptId);
    if (!prompt) throw fail('not_found', 'That prompt is no longer waiting');
    const { promptId, origin, method, kind, reason, details, createdAt, topOrigin } = prompt;
    return { promptId, origin, method, kind, reason, details, createdAt, topOrigin: topOrigin ?? null };
  },
  resolve_prompt: async (ctx, p) => {
    // Claimed before anything is awaited: a second answer to the same id gets not_found.
    const first = ctx.prompts.claim(p.promptId);
    if (!first) throw fail('not_found', 'That prompt is no longer waiting');
    const prompt = first.info;
    const others = p.applyToAllFromOrigin
      ? ctx.prompts.list().filter((x) => x.origin === prompt.origin && x.accountId === prompt.accountId)
      : [];
    const claimed = [first, ...others.map((x) => ctx.prompts.claim(x.promptId)!)];
    const remembers = p.scope !== undefined && p.scope !== 'once';
    try {
      if (remembers) await remember(ctx, prompt, p);
    } catch (err) {
      for (const c of claimed) c.refuse(fail('internal', 'The answer could not be stored'));
      throw err;
    }
    for (const c of claimed) {
      if (p.decision === 'allow') c.settle('approved');
      else c.refuse(fail('denied', 'The user denied this request'));
    }
    // What the new rule or override covers proceeds (or is refused) without asking again.
    if (remembers) ctx.prompts.recheck(prompt.origin);
    return {};
  },
} satisfies Partial<AdminHandlers>;
