// The admin RPC client used by the extension's own pages (DESIGN.md §7).
import browser from 'webextension-polyfill';
import { fromWireError, type WireResponse } from '../../shared/errors.ts';

export async function admin<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
  const reply = (await browser.runtime.sendMessage({ type: 'admin', method, params })) as WireResponse<T> | undefined;
  if (!reply) throw fromWireError({ code: 'internal', message: 'No answer from the signer' });
  if (!reply.ok) throw fromWireError(reply.error);
  return reply.result;
}

/** Calls `listener` whenever the background says the pending prompts changed. */
export function onPromptsChanged(listener: () => void): void {
  browser.runtime.onMessage.addListener((message: unknown) => {
    if ((message as { type?: unknown } | null)?.type === 'prompts-changed') listener();
    return undefined;
  });
}
