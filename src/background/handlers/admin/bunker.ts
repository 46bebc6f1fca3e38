// The bunker's admin methods (docs/ARCHITECTURE.md, Remote signing). What loosens — a new
// token, an accepted client, starting the bunker — is refused while locked by the lock gate
// (lockGate.ts), never here.
import { parseNostrConnectURI } from '../../bunker/nostrConnect.ts';
import { createToken, endClient, revokeToken, tokenRefusal } from '../../../db/bunkerStore.ts';
import { fail } from '../../../shared/errors.ts';
import type { AdminHandlers } from './types.ts';

type BunkerMethods = 'bunker_start' | 'bunker_stop' | 'bunker_status' | 'create_connect_token' | 'accept_nostrconnect' | 'revoke_connect_token' | 'list_connect_tokens' | 'end_remote_client';

export const bunkerHandlers: Pick<AdminHandlers, BunkerMethods> = {
  bunker_start: async (ctx, p) => {
    try {
      return await ctx.bunker.start(p.relays);
    } catch {
      throw fail('invalid_request', 'Choose at least one relay for remote signing');
    }
  },
  bunker_stop: async (ctx) => {
    await ctx.bunker.stop();
    return {};
  },
  bunker_status: async (ctx) => ctx.bunker.status(),
  create_connect_token: async (ctx, p) => {
    const token = await createToken(ctx.db, { rules: p.rules, expiresAt: p.expiresAt, uses: p.uses, label: p.label }, ctx.now());
    return { token, bunkerUrl: await ctx.bunker.bunkerUrl(token) };
  },
  accept_nostrconnect: async (ctx, p) => {
    const parsed = parseNostrConnectURI(p.uri);
    if (!parsed) throw fail('invalid_request', 'Not a nostrconnect:// URI with a client key, a relay and a secret');
    const answerer = ctx.bunker.accept();
    if (!answerer) throw fail('invalid_request', 'Turn remote signing on first');
    const rules = p.rules ?? parsed.perms;
    ctx.bunker.addRelays(parsed.relays);
    const origin = await answerer.acceptNostrConnect({ clientPubkey: parsed.clientPubkey, secret: parsed.secret, meta: { name: parsed.name, url: parsed.url }, rules });
    return { origin };
  },
  revoke_connect_token: async (ctx, p) => {
    await revokeToken(ctx.db, p, ctx.now());
    return {};
  },
  list_connect_tokens: async (ctx) => {
    const now = ctx.now();
    const rows = await ctx.db.bunkerTokens.orderBy('createdAt').reverse().toArray();
    return {
      tokens: rows
        .filter((r) => tokenRefusal(r, now) === null)
        .map(({ hash, label, uses, used, createdAt, expiresAt }) => ({ hash, label, uses, used, createdAt, expiresAt })),
    };
  },
  end_remote_client: async (ctx, p) => {
    await endClient(ctx.db, p.pubkey, ctx.now());
    return {};
  },
};
