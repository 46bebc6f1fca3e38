// A site's window.nostr call: prepare the crypto, then let the guard decide, asking if it says so.
import type { Nip07Request } from '../../shared/protocol.ts';
import { getSetting } from '../../db/settings.ts';
import type { BackgroundContext } from '../context.ts';
import { guard } from '../guard.ts';
import { prepare } from '../operations.ts';
import type { PromptInfo } from '../prompts/queue.ts';

export interface SiteContext {
  origin: string;
  tabId?: number | undefined;
  topOrigin?: string | undefined;
}

export async function handleNip07(ctx: BackgroundContext, site: SiteContext, request: Nip07Request): Promise<unknown> {
  const account = ctx.vault.requireActive();
  const prepared = prepare(request, account, {
    secretKey: (id) => ctx.vault.secretKey(id),
    relays: request.method === 'get_relays' ? await getSetting(ctx.db, 'relays') : {},
    nowSeconds: Math.floor(ctx.now() / 1000),
  });
  const req = { origin: site.origin, accountId: account.id, method: request.method, kind: prepared.kind };

  let approved = false;
  let prompt: PromptInfo | undefined;
  for (;;) {
    const result = await guard(ctx, req, prepared.run, approved);
    if (result.type === 'allowed') return result.value;
    if (result.type === 'refused') throw result.error;
    // Nothing was signed or decrypted: the crypto runs only after an answer, in a new transaction.
    const answer = await ctx.prompts.ask(
      { ...req, reason: result.reason, details: prepared.details, tabId: site.tabId, topOrigin: site.topOrigin },
      prompt,
    );
    prompt = answer.prompt;
    approved = answer.type === 'approved';
  }
}
