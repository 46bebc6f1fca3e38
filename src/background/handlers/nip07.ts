// A site's window.nostr call: prepare the crypto, then let the guard decide, asking if it says so.
import { fail, WardenError } from '../../shared/errors.ts';
import type { Nip07Request } from '../../shared/protocol.ts';
import type { Account } from '../../policy/records.ts';
import { getSetting } from '../../db/settings.ts';
import { wasLogged } from '../../db/signingLog.ts';
import { isConsequential } from '../../shared/methods.ts';
import type { BackgroundContext } from '../context.ts';
import { earlyRefusal, guard, type Operation } from '../guard.ts';
import { prepare, requestKind } from '../operations.ts';
import type { PromptInfo } from '../prompts/queue.ts';
import { refuseIfPaused } from '../prompts/backoff.ts';
import { paramsKey } from '../prompts/resume.ts';
import { requestTarget } from '../../policy/target.ts';
import { KIND_GIFT_WRAP } from '../../policy/constraints.ts';
import { openDmLayer } from '../giftWrapTarget.ts';

export interface SiteContext {
  origin: string;
  /** The page's id for this call: a page re-sends it after a worker restart. */
  requestId?: string | undefined;
  /** The bridge sent this request again because a stopped worker lost its answer. */
  resent?: boolean | undefined;
  tabId?: number | undefined;
  windowId?: number | undefined;
  topOrigin?: string | undefined;
  /** The sending document and whether its tab was active (src/background/documents.ts). */
  sentFrom?: PromptInfo['sentFrom'];
}

/**
 * With no account or a locked vault, the request waits on a prompt that offers to unlock (or to
 * create or import a key) and then continues; giving up refuses it with `locked` / `no_account`.
 */
async function unlockedAccount(ctx: BackgroundContext, site: SiteContext, request: Nip07Request, resumed?: PromptInfo): Promise<Account> {
  let prompt = resumed?.need ? resumed : undefined;
  try {
    for (;;) {
      try {
        return ctx.vault.requireActive();
      } catch (err) {
        if (!(err instanceof WardenError)) throw err;
        const need = err.code === 'no_account' ? 'account' : 'unlock';
        // An unlock window is a prompt like any other: a site in a back-off opens none.
        if (!prompt) refuseIfPaused(ctx, { origin: site.origin, method: request.method, kind: null });
        const answer = await ctx.prompts
          .ask({ ...where(site, request), accountId: 0, method: request.method, kind: null, reason: err.message, details: { type: 'none' }, need }, prompt)
          // The kill switch ended the wait: its refusal, not "locked" (docs/THREATS.md #44).
          .catch((refused: unknown) => {
            throw ctx.killSwitch.on ? ctx.killSwitch.refusal() : refused;
          });
        prompt = answer.prompt;
      }
    }
  } finally {
    if (prompt) ctx.prompts.forget(prompt.promptId);
  }
}

/** Where a request comes from, as its prompt records it. */
function where(site: SiteContext, request: Nip07Request) {
  const { origin, requestId, tabId, windowId, topOrigin, sentFrom } = site;
  return { origin, requestId, paramsKey: requestId ? paramsKey(request) : undefined, tabId, windowId, topOrigin, sentFrom };
}

/**
 * A request the page sent again after a worker restart (same id, site and params): it takes back
 * its place in the queue, or the answer given meanwhile. One that was running when the worker
 * stopped is refused: it may have been signed, and it is never run twice.
 */
async function resumeState(ctx: BackgroundContext, site: SiteContext, request: Nip07Request): Promise<{ prompt?: PromptInfo; approved: boolean }> {
  if (!site.requestId) return { approved: false };
  // Its answer may have been committed just before the stop (an allowed request is answered
  // without a prompt): the log says so, and it is never signed or decrypted twice.
  if (site.resent && isConsequential(request.method) && (await wasLogged(ctx.db, site.origin, site.requestId))) {
    throw fail('internal', 'The signer restarted after answering this request; it was not repeated');
  }
  if (ctx.resume.wasRunning(site.requestId, site.origin)) {
    ctx.resume.clearRunning(site.requestId);
    throw fail('internal', 'The signer restarted while running this request; it was not repeated');
  }
  const key = paramsKey(request);
  const answer = ctx.resume.takeAnswer(site.requestId, site.origin, key);
  if (answer === 'refused') throw fail('denied', 'The request was refused while the signer restarted');
  const prompt = ctx.prompts.findRequest(site.requestId, site.origin, key);
  // Out of the queue until this caller asks again with it (same prompt id and place).
  if (prompt) ctx.prompts.claim(prompt.promptId);
  return { ...(prompt ? { prompt } : {}), approved: answer === 'approved' };
}

export async function handleNip07(ctx: BackgroundContext, site: SiteContext, request: Nip07Request): Promise<unknown> {
  // A page's request id names one call: a second live call with the same id never takes the
  // first one's place (a re-send after a worker stop reaches a new worker, where nothing is live).
  const live = site.requestId === undefined ? null : `${site.origin} ${site.requestId}`;
  if (live !== null && ctx.inFlight.has(live)) throw fail('invalid_request', 'A request with this id is already in progress');
  if (live !== null) ctx.inFlight.add(live);
  try {
    return await serve(ctx, site, request);
  } finally {
    if (live !== null) ctx.inFlight.delete(live);
  }
}

/** One live request: its resumed state, the early refusal, the vault, then the guard and any prompt. */
async function serve(ctx: BackgroundContext, site: SiteContext, request: Nip07Request): Promise<unknown> {
  const resumed = await resumeState(ctx, site, request);
  // Deny overrides (and so a paused site) come first: before the vault, so a refused site never
  // opens an unlock window or learns the lock state, and before anything about the key.
  const known = ctx.vault.active();
  // The target as the params name it (no key needed): a deny override with peers, relays or URLs
  // refuses here too.
  const target = requestTarget(request);
  if (known) {
    const refused = await earlyRefusal(ctx, { origin: site.origin, accountId: known.id, method: request.method, kind: requestKind(request), target });
    if (refused) {
      if (resumed.prompt) ctx.prompts.forget(resumed.prompt.promptId);
      throw refused;
    }
  }
  const account = await unlockedAccount(ctx, site, request, resumed.prompt);
  const prepared = prepare(request, account, {
    secretKey: (id) => ctx.vault.secretKey(id),
    relays: request.method === 'get_relays' ? await getSetting(ctx.db, 'relays') : {},
    nowSeconds: Math.floor(ctx.now() / 1000),
  });
  // A nip44 decrypt may be one layer of a NIP-17 message: the background looks inside first and
  // keeps only whose message it is (src/background/giftWrapTarget.ts, docs/THREATS.md #51). A wrap
  // that holds a seal is judged, logged and capped as kind 1059: one entry per message.
  const dm = openDmLayer(request, () => ctx.vault.secretKey(account.id));
  const judged = dm ? { ...target, dm } : target;
  const kind = dm?.layer === 'wrap' ? KIND_GIFT_WRAP : prepared.kind;
  const details = dm && prepared.details.type === 'peer' ? { ...prepared.details, dm } : prepared.details;
  const req = { origin: site.origin, accountId: account.id, method: request.method, kind, requestId: site.requestId, target: judged };
  // A request that passed the kill switch's check before it turned on (waiting for its turn, or
  // approved a moment before) runs no crypto once it is on: checked again inside the guard, at the
  // last moment (docs/THREATS.md #44).
  const run: typeof prepared.run = () => {
    if (ctx.killSwitch.on) throw ctx.killSwitch.refusal();
    return prepared.run();
  };

  let approved = resumed.approved;
  let prompt = resumed.prompt?.need ? undefined : resumed.prompt;
  try {
    for (;;) {
      const result = await runOnce(ctx, site, req, run, approved);
      if (result.type === 'allowed') return result.value;
      if (result.type === 'refused') throw result.error;
      // Nothing was signed or decrypted: the crypto runs only after an answer, in a new transaction.
      // A site in a back-off opens no new prompt (one already waiting keeps its place).
      if (!prompt) refuseIfPaused(ctx, req);
      const answer = await ctx.prompts.ask({ ...where(site, request), ...req, reason: result.reason, details }, prompt);
      prompt = answer.prompt;
      approved = answer.type === 'approved';
    }
  } finally {
    // A rechecked request that did not ask again leaves the queue now.
    if (prompt) ctx.prompts.forget(prompt.promptId);
  }
}

/** One pass through the guard; an approved one is marked as running across a possible stop. */
async function runOnce<T>(ctx: BackgroundContext, site: SiteContext, req: Parameters<typeof guard>[1], run: Operation<T>, approved: boolean) {
  if (!approved || !site.requestId) return guard(ctx, req, run, approved);
  await ctx.resume.markRunning(site.requestId, site.origin);
  try {
    return await guard(ctx, req, run, approved);
  } finally {
    ctx.resume.clearRunning(site.requestId);
  }
}
