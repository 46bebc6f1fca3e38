import { getSetting, setSetting } from '../../../db/settings.ts';
import type { AdminHandlers } from './types.ts';

export const settingsHandlers = {
  get_settings: async (ctx) => ({
    autoLockMinutes: await getSetting(ctx.db, 'autoLockMinutes'),
    relays: await getSetting(ctx.db, 'relays'),
    sensitiveKinds: await getSetting(ctx.db, 'sensitiveKinds'),
  }),
  set_settings: async (ctx, p) => {
    await ctx.db.transaction('rw', ctx.db.settings, async () => {
      if (p.autoLockMinutes !== undefined) await setSetting(ctx.db, 'autoLockMinutes', p.autoLockMinutes);
      if (p.relays !== undefined) await setSetting(ctx.db, 'relays', p.relays);
      if (p.sensitiveKinds !== undefined) await setSetting(ctx.db, 'sensitiveKinds', [...new Set(p.sensitiveKinds)].sort((a, b) => a - b));
    });
    return {};
  },
} satisfies Partial<AdminHandlers>;
