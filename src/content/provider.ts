// MAIN world: defines window.nostr. Holds no keys and no policy; turns replies into values or
// Errors carrying a `code` (DESIGN.md §6). Every call settles: answered, refused or timed out.
import { PAGE_REPLY, PAGE_REQUEST, PROVIDER_TIMEOUT_MS, unguessableId } from '../shared/channel.ts';
import { fromWireError, type ErrorCode } from '../shared/errors.ts';
import type { Method } from '../shared/methods.ts';

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

const waiting = new Map<string, Waiting>();

function refusal(code: ErrorCode, message: string): Error {
  return fromWireError({ code, message });
}

window.addEventListener('message', (event: MessageEvent) => {
  if (event.source !== window) return;
  const data = event.data as { source?: unknown; id?: unknown; ok?: unknown; result?: unknown; error?: unknown } | null;
  if (!data || data.source !== PAGE_REPLY || typeof data.id !== 'string') return;
  const call = waiting.get(data.id);
  if (!call) return;
  waiting.delete(data.id);
  clearTimeout(call.timer);
  if (data.ok === true) call.resolve(data.result);
  else call.reject(fromWireError(data.error));
});

function call(method: Method, params: Record<string, unknown>): Promise<never> {
  return new Promise((resolve, reject) => {
    if (window.origin === 'null') {
      reject(refusal('denied', 'window.nostr is not available in sandboxed or opaque-origin frames'));
      return;
    }
    const id = unguessableId();
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(refusal('timeout', 'The signer did not answer in time'));
    }, PROVIDER_TIMEOUT_MS);
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
    try {
      // Structured clone copies the event now: later changes by the page cannot reach the signer.
      window.postMessage({ source: PAGE_REQUEST, id, method, params }, window.location.origin);
    } catch {
      waiting.delete(id);
      clearTimeout(timer);
      reject(refusal('invalid_request', `${method}: the arguments cannot be sent (not plain data)`));
    }
  });
}

const nostr = Object.freeze({
  getPublicKey: (): Promise<string> => call('get_public_key', {}),
  signEvent: (event: unknown): Promise<unknown> => call('sign_event', { event }),
  getRelays: (): Promise<Record<string, { read: boolean; write: boolean }>> => call('get_relays', {}),
  nip04: Object.freeze({
    encrypt: (pubkey: string, plaintext: string): Promise<string> => call('nip04_encrypt', { pubkey, plaintext }),
    decrypt: (pubkey: string, ciphertext: string): Promise<string> => call('nip04_decrypt', { pubkey, ciphertext }),
  }),
  nip44: Object.freeze({
    encrypt: (pubkey: string, plaintext: string): Promise<string> => call('nip44_encrypt', { pubkey, plaintext }),
    decrypt: (pubkey: string, ciphertext: string): Promise<string> => call('nip44_decrypt', { pubkey, ciphertext }),
  }),
});

(window as unknown as { nostr: typeof nostr }).nostr = nostr;
