// A remote client's request enters the same path as a web page's: the kill switch, the bounds on
// waiting requests and the rate check (as the router applies them to a page, src/background/
// router.ts), then handleNip07 — the guard, the prompts, the log. The site is `nip46:<client hex>`;
// nothing here decides anything about policy.
import { WardenError } from '../../shared/errors.ts';
import type { Nip07Request } from '../../shared/protocol.ts';
import type { BackgroundContext } from '../context.ts';
import { handleNip07 } from '../handlers/nip07.ts';
import { STOPPED_REASON } from '../killSwitch.ts';
import { requestKind } from '../operations.ts';

export type RemoteHandler = (origin: string, requestId: string, request: Nip07Request) => Promise<unknown>;

export function remoteHandler(ctx: BackgroundContext): RemoteHandler {
  return async (origin, requestId, request) => {
    await ctx.ready;
    const kind = requestKind(request);
    if (ctx.killSwitch.on) {
      ctx.activity.push({ origin, method: request.method, kind: null, outcome: 'denied', reason: STOPPED_REASON, createdAt: ctx.now() });
      throw ctx.killSwitch.refusal();
    }
    const busy = ctx.prompts.tooMany(origin) ?? ctx.rate.refusal(origin);
    try {
      if (busy) {
        ctx.activity.push({ origin, method: request.method, kind, outcome: 'rate_limited', reason: busy.message, createdAt: ctx.now() });
        throw busy;
      }
      return await handleNip07(ctx, { origin, requestId }, request);
    } catch (err) {
      if (err instanceof WardenError) ctx.rate.spend(origin);
      throw err;
    }
  };
}
