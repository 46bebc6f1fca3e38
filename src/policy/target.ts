// The one place a request's target is read from its validated params: the peer of an encrypt or
// decrypt, the relay of a relay AUTH, the URL and HTTP method of an HTTP auth. Only what the page
// sent: nothing here needs a key (a gift wrap's sender is added by src/background/giftWrapTarget.ts).
import type { Nip07Request } from '../shared/protocol.ts';
import { KIND_BLOSSOM_AUTH, KIND_HTTP_AUTH, KIND_RELAY_AUTH, normaliseHttpMethod, normaliseRelay, normaliseUrl, type RequestTarget } from './constraints.ts';

/** The first value of a tag, if the event has that tag. */
function tagValue(tags: readonly string[][], name: string): string | undefined {
  return tags.find((t) => t[0] === name && typeof t[1] === 'string')?.[1];
}

export function requestTarget(request: Nip07Request): RequestTarget | undefined {
  if (request.method === 'sign_event') {
    const { kind, tags } = request.params.event;
    if (kind === KIND_RELAY_AUTH) {
      const relay = normaliseRelay(tagValue(tags, 'relay') ?? '');
      return relay ? { relay } : {};
    }
    if (kind === KIND_HTTP_AUTH || kind === KIND_BLOSSOM_AUTH) {
      // Blossom auth names its server in a `server` tag when it has no `u` tag.
      const url = normaliseUrl(tagValue(tags, 'u') ?? tagValue(tags, 'server') ?? '');
      const method = kind === KIND_HTTP_AUTH ? tagValue(tags, 'method') : undefined;
      return { ...(url ? { url } : {}), ...(method ? { httpMethod: normaliseHttpMethod(method) } : {}) };
    }
    return undefined;
  }
  if ('pubkey' in request.params) return { peer: request.params.pubkey };
  return undefined;
}
