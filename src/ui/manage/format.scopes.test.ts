import { describe, expect, it } from 'vitest';
import { npubEncode } from 'nostr-tools/nip19';
import { constraintText, scopeWithConstraints, shortNpub } from './format.ts';

const X = '7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e';
const Y = 'f7234bd4c1394dda46d09f35bd384dd30cc552ad5541990f98844fb06676e9ca';

describe('constraints in words', () => {
  it.each<[string, object, string]>([
    ['none', {}, ''],
    ['one peer', { peers: [X] }, `only with ${shortNpub(npubEncode(X))}`],
    ['two peers', { peers: [X, Y] }, `only with ${shortNpub(npubEncode(X))} and ${shortNpub(npubEncode(Y))}`],
    ['gift wraps from a peer', { giftWraps: true, peers: [X] }, `direct messages (NIP-17) only, only with ${shortNpub(npubEncode(X))}`],
    ['relays', { relays: ['wss://a.example', 'wss://b.example', 'wss://c.example'] }, 'only on wss://a.example, wss://b.example and wss://c.example'],
    ['URL and method', { urls: ['https://api.example/v1'], httpMethods: ['GET'] }, 'only for https://api.example/v1…, only GET'],
  ])('%s', (_name, c, text) => expect(constraintText(c)).toBe(text));

  it('a scope with its constraints reads as the issue asks', () => {
    expect(scopeWithConstraints('nip44_decrypt', null, { peers: [X, Y] })).toBe(`decrypt (NIP-44) — only with ${shortNpub(npubEncode(X))} and ${shortNpub(npubEncode(Y))}`);
    expect(scopeWithConstraints('sign_event', 1, { peers: null })).toBe('sign kind 1 · Short text note');
  });
});
