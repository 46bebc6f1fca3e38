// How long the activity and signing logs are kept, and pruning now.
import { getRetention, pruneLogs, setRetention } from '../../../db/retention.ts';
import type { AdminHandlers } from './types.ts';

export const retentionHandlers = {
  get_retention: async (ctx) => getRetention(ctx.db),
  set_retention: async (ctx, p) =>
    setRetention(ctx.db, {
      ...(p.activityDays === undefined ? {} : { activityDays: p.activityDays }),
      ...(p.signingLogDays === undefined ? {} : { signingLogDays: p.signingLogDays }),
    }),
  prune_now: async (ctx) => pruneLogs(ctx.db, ctx.clock),
} satisfies Partial<AdminHandlers>;
