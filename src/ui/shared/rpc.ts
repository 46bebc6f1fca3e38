// The admin RPC client used by the extension's own pages (DESIGN.md §7).
import browser from 'webextension-polyfill';
import { fromWireError, type WireResponse } from '../../shared/errors.ts';

export async function admin<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
  const reply = (await browser.runtime.sendMessage({ type: 'admin', method, params })) as WireResponse<T> | undefined;
  if (!reply) throw fromWireError({ code: 'internal', message: 'No answer from the signer' });
  if (!reply.ok) throw fromWireError(reply.error);
  return reply.result;
}
