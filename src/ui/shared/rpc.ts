// The admin RPC client of the extension's own pages, typed from the wire contract: a wrong
// method name, a wrong params shape or a misread result fails `npm run typecheck`.
import browser from 'webextension-polyfill';
import { fromWireError, type WireResponse } from '../../shared/errors.ts';
import type { AdminResults } from '../../shared/adminResults.ts';
import type { AdminInput, AdminMethod } from '../../shared/protocol.ts';

/** Params may be left out only for a method whose params are all optional. */
type ParamsArg<M extends AdminMethod> = {} extends AdminInput<M> ? [params?: AdminInput<M>] : [params: AdminInput<M>];

export async function admin<M extends AdminMethod>(method: M, ...[params]: ParamsArg<M>): Promise<AdminResults[M]> {
  const reply = (await browser.runtime.sendMessage({ type: 'admin', method, params: params ?? {} })) as WireResponse<AdminResults[M]> | undefined;
  if (!reply) throw fromWireError({ code: 'internal', message: 'No answer from the signer' });
  if (!reply.ok) throw fromWireError(reply.error);
  return reply.result;
}
