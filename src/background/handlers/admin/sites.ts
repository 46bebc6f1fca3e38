// Admin methods that manage one site from the popup and options pages: what the guard would
// decide now, the site as the popup shows it, the known sites, a tab's site, pause and resume.
import { takesKind } from '../../../shared/methods.ts';
import { pauseSite, resumeSite } from '../../../db/sitePause.ts';
import { explain } from '../../explain.ts';
import { knownSites, siteView } from '../../siteView.ts';
import type { AdminHandlers } from './types.ts';

export const siteHandlers = {
  explain_request: async (ctx, p) => {
    const status = ctx.vault.status();
    const accountId = ctx.vault.accountIdOrActive(p.accountId);
    const result = await explain(ctx, { origin: p.origin, accountId, method: p.method, kind: takesKind(p.method) ? (p.kind ?? null) : null, target: p.target });
    // The vault comes first in the decision order: a locked vault asks to unlock before anything is decided.
    return { ...result, accountId, vault: status.locked ? 'locked' : 'unlocked' };
  },
  get_site_view: async (ctx, p) => {
    await ctx.activity.flush();
    return siteView(ctx.db, p.origin, ctx.vault.active()?.id ?? null, ctx.clock(), p.activityLimit ?? 5);
  },
  list_sites: async (ctx) => ({ origins: await knownSites(ctx.db) }),
  get_tab_site: async (ctx, p) => ({ origin: await ctx.tabSites.get(p.tabId) }),
  pause_site: async (ctx, p) => ({ overrideIds: await pauseSite(ctx.db, p.origin, ctx.vault.accountIdOrActive(), ctx.clock(), p.expiresAt ?? null) }),
  resume_site: async (ctx, p) => ({ lifted: await resumeSite(ctx.db, p.origin, ctx.vault.accountIdOrActive(), ctx.clock()) }),
} satisfies Partial<AdminHandlers>;
