import { pageActivity } from '../../../db/activity.ts';
import { pageLog } from '../../../db/signingLog.ts';
import type { AdminHandlers } from './types.ts';

export const logHandlers = {
  get_signing_log: async (ctx, p) => {
    const page = await pageLog(ctx.db, p);
    return {
      entries: page.entries.map(({ id, origin, accountId, method, kind, createdAt, eventId }) => ({
        id, origin, accountId, method, kind: kind ?? null, createdAt, ...(eventId ? { eventId } : {}),
      })),
      ...(page.next === undefined ? {} : { next: page.next }),
    };
  },
  get_activity: async (ctx, p) => {
    await ctx.activity.flush();
    return pageActivity(ctx.db, p);
  },
  /** The options page's Activity tab: get_activity with method and outcome filters. */
  query_activity: async (ctx, p) => {
    await ctx.activity.flush();
    return pageActivity(ctx.db, p);
  },
} satisfies Partial<AdminHandlers>;
