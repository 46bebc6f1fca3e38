// NIP-46 perms strings (`sign_event:1,nip44_encrypt`) out of a grant and into a site's grant.
import { fail } from '../../../shared/errors.ts';
import { formatPerms, parsePerms } from '../../../shared/perms.ts';
import { isLive } from '../../../policy/live.ts';
import { importPerms } from '../../../db/permsImport.ts';
import { constraintFields, isConstrained } from '../../../policy/constraints.ts';
import type { AdminHandlers } from './types.ts';

export const permsHandlers = {
  export_perms: async (ctx, p) => {
    const clock = ctx.clock();
    const grant = await ctx.db.grants.get(p.grantId);
    if (!grant) throw fail('not_found', `no grant #${p.grantId}`);
    const rules = (await ctx.db.rules.where('grantId').equals(grant.id).toArray()).filter((r) => isLive(r, clock.now, clock.sessionId));
    // A perms string names (method, kind) and nothing more. A rule narrowed to peers, relays, URLs
    // or direct messages would come out wider than it is, so it is left out (the other side then
    // asks for it) and listed for the page to say so.
    const carried = rules.filter((r) => !isConstrained(r));
    const notCarried = rules.filter((r) => isConstrained(r)).map((r) => ({ method: r.method, kind: r.kind, ...constraintFields(r) }));
    return { perms: formatPerms(carried), capped: carried.filter((r) => r.maxUsageCount !== null).length, notCarried };
  },
  import_perms: async (ctx, p) => {
    const parsed = parsePerms(p.perms);
    if (!parsed.ok) throw fail('invalid_request', `perms: ${parsed.error}`);
    const r = await importPerms(ctx.db, p.origin, ctx.vault.accountIdOrActive(p.accountId), parsed.perms, ctx.clock());
    return { grantId: r.grantId, added: r.added.map(({ id, method, kind }) => ({ id, method, kind })), present: r.present };
  },
} satisfies Partial<AdminHandlers>;
