// router → validate → guard → handler. Every message gets exactly one wire response.
import { describeIssue, errorResponse, fail, WardenError, type WireResponse } from '../shared/errors.ts';
import {
  adminEnvelopeSchema,
  adminParamSchemas,
  isAdminMethod,
  nip07EnvelopeSchema,
  parseNip07Request,
  type AdminMethod,
} from '../shared/protocol.ts';
import type { BackgroundContext } from './context.ts';
import { adminHandlers } from './handlers/admin/index.ts';
import { handleNip07 } from './handlers/nip07.ts';
import { requestKind } from './operations.ts';
import { embeddingOrigin, isExtensionPage, siteOrigin, type SenderInfo } from './sender.ts';
import { refuseInactiveDocument, sentFrom } from './documents.ts';
import { STOPPED_REASON } from './killSwitch.ts';

export type Router = (message: unknown, sender: SenderInfo) => Promise<WireResponse>;

export function createRouter(ctx: BackgroundContext, onUse: () => void = () => {}): Router {
  return async (message, sender) => {
    try {
      // A request that arrives while the worker starts waits for setup (docs/THREATS.md #25).
      await ctx.ready;
      const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
      if (type !== 'admin' && type !== 'nip07') throw fail('invalid_request', 'Unknown message type');
      const result = type === 'admin' ? await routeAdmin(ctx, message, sender) : await routeNip07(ctx, message, sender);
      // Auto-lock counts a person's actions only: accepted calls from the extension's own pages
      // (answering a prompt among them). A site's requests never keep the vault unlocked, and
      // junk messages never count (docs/THREATS.md #32).
      if (type === 'admin') onUse();
      return { ok: true, result };
    } catch (err) {
      return errorResponse(err);
    }
  };
}

async function routeAdmin(ctx: BackgroundContext, message: unknown, sender: SenderInfo): Promise<unknown> {
  // Judged before parsing: a page or content script learns nothing about the admin surface.
  if (!isExtensionPage(sender, ctx.extensionOrigin)) throw fail('denied', 'Admin messages are accepted only from the extension itself');
  const envelope = adminEnvelopeSchema.safeParse(message);
  if (!envelope.success) throw fail('invalid_request', describeIssue(envelope.error));
  const { method } = envelope.data;
  if (!isAdminMethod(method)) throw fail('invalid_request', `Unknown admin method: ${method.slice(0, 40)}`);
  const params = adminParamSchemas[method].safeParse(envelope.data.params ?? {});
  if (!params.success) throw fail('invalid_request', describeIssue(params.error));
  const handler = adminHandlers[method] as (c: BackgroundContext, p: unknown) => Promise<unknown>;
  return handler(ctx, params.data satisfies AdminParamsAny);
}
type AdminParamsAny = ReturnType<(typeof adminParamSchemas)[AdminMethod]['parse']>;

async function routeNip07(ctx: BackgroundContext, message: unknown, sender: SenderInfo): Promise<unknown> {
  // Step 0, the kill switch: before the request is looked at further, before any prompt, the vault,
  // the policy or the crypto (docs/ARCHITECTURE.md, Decision order; docs/THREATS.md #44).
  if (ctx.killSwitch.on) throw stopped(ctx, message, sender);
  const envelope = nip07EnvelopeSchema.safeParse(message);
  if (!envelope.success) throw fail('invalid_request', describeIssue(envelope.error));
  const parsed = parseNip07Request(envelope.data.method, envelope.data.params ?? {});
  if (!parsed.ok) throw fail('invalid_request', describeIssue(parsed.error));
  // The origin comes from the browser, never from the message (docs/THREATS.md #1), and is worked out
  // once per message: everything below uses this value.
  const origin = siteOrigin(sender);
  refuseInactiveDocument(sender); // docs/THREATS.md #41
  const tabId = sender.tab?.id;
  // The popup's "current site": only a tab's top frame speaks for the tab.
  if (tabId !== undefined && !sender.frameId) ctx.tabSites.note(tabId, origin);
  const site = { origin, requestId: envelope.data.id, resent: envelope.data.resent === true, tabId, windowId: sender.tab?.windowId, topOrigin: embeddingOrigin(sender, origin), sentFrom: sentFrom(sender) };
  // The bounds on waiting requests and the rate check come before anything about the request is
  // read or written (docs/THREATS.md #7, #34). A re-sent request that holds a place or an answer
  // is not new and passes (the handler matches its params; the queue's own bound still applies
  // to one that turns out to be new).
  const { requestId } = site;
  const holdsPlace = requestId !== undefined && (ctx.prompts.holds(requestId, origin) || ctx.resume.knows(requestId));
  const busy = holdsPlace ? null : (ctx.prompts.tooMany(origin) ?? ctx.rate.refusal(origin));
  try {
    if (busy) {
      const { method } = parsed.request;
      ctx.activity.push({ origin, method, kind: requestKind(parsed.request), outcome: 'rate_limited', reason: busy.message, createdAt: ctx.now() });
      throw busy;
    }
    return await handleNip07(ctx, site, parsed.request);
  } catch (err) {
    if (err instanceof WardenError) ctx.rate.spend(origin);
    throw err;
  }
}

/** The kill switch's refusal, noted in the activity log where repeats collapse into one row with a count. */
function stopped(ctx: BackgroundContext, message: unknown, sender: SenderInfo): WardenError {
  const refusal = ctx.killSwitch.refusal();
  const envelope = nip07EnvelopeSchema.safeParse(message);
  let origin: string | null = null;
  try {
    origin = siteOrigin(sender);
  } catch {
    // A sender that is no site gets the same refusal, and no row.
  }
  // No kind: a flood of many kinds still makes one row per method.
  if (origin && envelope.success) ctx.activity.push({ origin, method: envelope.data.method, kind: null, outcome: 'denied', reason: STOPPED_REASON, createdAt: ctx.now() });
  return refusal;
}
