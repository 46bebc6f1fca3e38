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
    killSwitch: ctx.killSwitch.on,
    pending: ctx.prompts.awaitingAnswer().map(({ promptId, origin, method, kind }) => ({ promptId, origin, method, ...(kind === null ? {} : { kind }) })),
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
  export_account: async (ctx, p) => ({ ncryptsec: await ctx.vault.export(p.accountId, p.password) }),
  unlock: async (ctx, p) => {
    await ctx.vault.unlock(p.password);
    resumeWaiting(ctx);
    return {};
  },
  lock: async (ctx) => {
    await ctx.vault.lock();
    return {};
  },
  rename_account: async (ctx, p) => ctx.vault.rename(p.accountId, p.label),
  delete_account: async (ctx, p) => {
    // The password, checked as every password is (wrong → denied, with the back-off), before anything goes.
    await ctx.vault.export(p.accountId, p.password);
    await ctx.vault.remove(p.accountId);
    // Its grants and overrides can never apply again (ids are not reused): revoke them so the
    // sites list shows them as past. Its signing log stays as history.
    const now = ctx.now();
    await ctx.db.transaction('rw', ctx.db.grants, ctx.db.overrides, async () => {
      await ctx.db.grants.filter((g) => g.accountId === p.accountId && g.revokedAt == null).modify({ revokedAt: now });
      await ctx.db.overrides.filter((o) => o.accountId === p.accountId && o.revokedAt == null).modify({ revokedAt: now });
    });
    return {};
  },
} satisfies Partial<AdminHandlers>;
