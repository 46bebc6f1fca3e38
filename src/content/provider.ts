// MAIN world: defines window.nostr. Holds no keys and no policy; turns replies into values or
// Errors carrying a `code` (docs/ARCHITECTURE.md, Error codes). Every call settles: answered, refused or timed out.
import { PAGE_REPLY, PAGE_REQUEST, PROVIDER_TIMEOUT_MS, unguessableId } from '../shared/channel.ts';
import { fromWireError, type ErrorCode } from '../shared/errors.ts';
import { METHOD_TABLE, METHODS, type Method } from '../shared/methods.ts';

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
      // The background is reached as JSON: a BigInt or a cycle (which structured clone would carry
      // this far) is refused here, as bad input, not lost on the way as a signer failure.
      JSON.stringify(params);
      // Structured clone copies the event now: later changes by the page cannot reach the signer;
      // it also refuses functions and symbols.
      window.postMessage({ source: PAGE_REQUEST, id, method, params }, window.location.origin);
    } catch {
      waiting.delete(id);
      clearTimeout(timer);
      reject(refusal('invalid_request', `${method}: the arguments cannot be sent (not plain data)`));
    }
  });
}

/** window.nostr, built from the method table: each call turns its arguments into named params. */
function buildNostr(): Readonly<Record<string, unknown>> {
  const root: Record<string, unknown> = {};
  for (const method of METHODS) {
    const { call: path, args } = METHOD_TABLE[method];
    const fn = (...values: unknown[]) => call(method, Object.fromEntries(args.map((name, i) => [name, values[i]])));
    const [head, leaf] = path.split('.') as [string, string?];
    if (leaf === undefined) root[head] = fn;
    else ((root[head] ??= {}) as Record<string, unknown>)[leaf] = fn;
  }
  // Frozen all the way down: a page script cannot swap a call for its own.
  for (const value of Object.values(root)) if (typeof value === 'object' && value !== null) Object.freeze(value);
  return Object.freeze(root);
}

(window as unknown as { nostr: unknown }).nostr = buildNostr();
