// Admin methods of the popup and options pages (issue 4): try a request, pause a site, the tab's
// site, filtered activity, NIP-46 perms strings.
import { fail } from '../../../shared/errors.ts';
import { formatPerms, parsePerms } from '../../../shared/perms.ts';
import { isLive } from '../../../policy/live.ts';
import { importPerms, pauseSite, queryActivity, resumeSite } from '../../../db/control.ts';
import { explain } from '../../explain.ts';
import { tabSitesFor } from '../../tabSites.ts';
import { knownSites, siteView } from '../../siteView.ts';
import type { BackgroundContext } from '../../context.ts';
import type { AdminHandlers } from './types.ts';


export const controlHandlers = {
  explain_request: async (ctx, p) => {
    const status = ctx.vault.status();
    const accountId = ctx.vault.accountIdOrActive(p.accountId);
    const result = await explain(ctx, { origin: p.origin, accountId, method: p.method, kind: p.method === 'sign_event' ? (p.kind ?? null) : null });
    // DESIGN.md §5 step 2 comes first: a locked vault asks to unlock before anything is decided.
    return { ...result, accountId, vault: status.locked ? 'locked' : 'unlocked' };
  },
  get_site_view: async (ctx, p) => {
    await ctx.activity.flush();
    return siteView(ctx.db, p.origin, ctx.vault.active()?.id ?? null, ctx.clock(), p.activityLimit ?? 5);
  },
  list_sites: async (ctx) => ({ origins: await knownSites(ctx.db) }),
  get_tab_site: async (ctx, p) => ({ origin: await tabSitesFor(ctx.session).get(p.tabId) }),
  pause_site: async (ctx, p) => ({ overrideIds: await pauseSite(ctx.db, p.origin, ctx.vault.accountIdOrActive(), ctx.clock(), p.expiresAt ?? null) }),
  resume_site: async (ctx, p) => ({ lifted: await resumeSite(ctx.db, p.origin, ctx.vault.accountIdOrActive(), ctx.clock()) }),
  query_activity: async (ctx, p) => {
    await ctx.activity.flush();
    return queryActivity(ctx.db, p);
  },
  export_perms: async (ctx, p) => {
    const clock = ctx.clock();
    const grant = await ctx.db.grants.get(p.grantId);
    if (!grant) throw fail('not_found', `no grant #${p.grantId}`);
    const rules = (await ctx.db.rules.where('grantId').equals(grant.id).toArray()).filter((r) => isLive(r, clock.now, clock.sessionId));
    return { perms: formatPerms(rules), capped: rules.filter((r) => r.maxUsageCount !== null).length };
  },
  import_perms: async (ctx, p) => {
    const parsed = parsePerms(p.perms);
    if (!parsed.ok) throw fail('invalid_request', `perms: ${parsed.error}`);
    const r = await importPerms(ctx.db, p.origin, ctx.vault.accountIdOrActive(p.accountId), parsed.perms, ctx.clock());
    return { grantId: r.grantId, added: r.added.map(({ id, method, kind }) => ({ id, method, kind })), present: r.present };
  },
} satisfies Partial<AdminHandlers>;
