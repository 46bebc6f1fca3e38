import type { BackgroundContext } from '../../context.ts';
import type { AdminHandlers } from './types.ts';

/** Requests waiting for an unlock or a first key continue as soon as the vault can serve them. */
function resumeWaiting(ctx: BackgroundContext): void {
  if (!ctx.vault.locked) ctx.prompts.recheck((p) => p.need !== undefined);
}

export const accountHandlers = {
  get_status: async (ctx) => ({
    ...ctx.vault.status(),
    workerStartedAt: ctx.startedAt,
    pending: ctx.prompts.list().map(({ promptId, origin, method, kind }) => ({ promptId, origin, method, ...(kind === null ? {} : { kind }) })),
  }),
  create_account: async (ctx, p) => {
    const a = await ctx.vault.create(p.password, p.label);
    resumeWaiting(ctx);
    return { accountId: a.id, pubkey: a.pubkey };
  },
  import_account: async (ctx, p) => {
    const a = await ctx.vault.import(p.secret, p.password, p.label);
    resumeWaiting(ctx);
    return { accountId: a.id, pubkey: a.pubkey };
  },
  list_accounts: async (ctx) => ({ accounts: ctx.vault.list() }),
  select_account: async (ctx, p) => {
    await ctx.vault.select(p.accountId);
    return {};
  },
  export_account: async (ctx, p) => ({ ncryptsec: ctx.vault.export(p.accountId, p.password) }),
  unlock: async (ctx, p) => {
    await ctx.vault.unlock(p.password);
    resumeWaiting(ctx);
    return {};
  },
  lock: async (ctx) => {
    await ctx.vault.lock();
    return {};
  },
} satisfies Partial<AdminHandlers>;
