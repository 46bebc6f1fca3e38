// A site's window.nostr call: prepare the crypto, then let the guard decide, asking if it says so.
import { WardenError } from '../../shared/errors.ts';
import type { Nip07Request } from '../../shared/protocol.ts';
import type { Account } from '../../policy/records.ts';
import { getSetting } from '../../db/settings.ts';
import type { BackgroundContext } from '../context.ts';
import { guard } from '../guard.ts';
import { prepare } from '../operations.ts';
import type { PromptInfo } from '../prompts/queue.ts';

export interface SiteContext {
  origin: string;
  tabId?: number | undefined;
  windowId?: number | undefined;
  topOrigin?: string | undefined;
}

/**
 * With no account or a locked vault, the request waits on a prompt that offers to unlock (or to
 * create or import a key) and then continues; giving up refuses it with `locked` / `no_account`.
 */
async function unlockedAccount(ctx: BackgroundContext, site: SiteContext, request: Nip07Request): Promise<Account> {
  let prompt: PromptInfo | undefined;
  for (;;) {
    try {
      return ctx.vault.requireActive();
    } catch (err) {
      if (!(err instanceof WardenError)) throw err;
      const need = err.code === 'no_account' ? 'account' : 'unlock';
      const answer = await ctx.prompts.ask(
        { origin: site.origin, accountId: 0, method: request.method, kind: null, reason: err.message, details: { type: 'none' }, need, tabId: site.tabId, windowId: site.windowId, topOrigin: site.topOrigin },
        prompt,
      );
      prompt = answer.prompt;
    }
  }
}

export async function handleNip07(ctx: BackgroundContext, site: SiteContext, request: Nip07Request): Promise<unknown> {
  const account = await unlockedAccount(ctx, site, request);
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
      { ...req, reason: result.reason, details: prepared.details, tabId: site.tabId, windowId: site.windowId, topOrigin: site.topOrigin },
      prompt,
    );
    prompt = answer.prompt;
    approved = answer.type === 'approved';
  }
}
