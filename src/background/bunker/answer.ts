// The bunker's answer to one kind-24133 event from a relay. Every check that can be made without
// the user's key comes first, cheapest first, and an event that fails one is dropped or answered
// with a NIP-46 error — never a crash, never a prompt, never a row for a stranger
// (docs/THREATS.md, Remote signing):
//   size → shape and signature → addressed to us → seen event → decrypt → request shape →
//   replayed request id → freshness → known client (or a connect with a live token) → method.
// The methods that use the key go through the same handler a web page's request does
// (dispatch.ts), with the client's `nip46:<hex>` as its site.
import { finalizeEvent, verifyEvent } from 'nostr-tools/pure';
import * as nip44 from 'nostr-tools/nip44';
import { WardenError } from '../../shared/errors.ts';
import { nip46RequestSchema, parseNip07Request, type Nip07Request, type Nip46Request } from '../../shared/protocol.ts';
import { addClient, connectWithToken, endClient, hexBytes, liveClient, markSeen, nip46Origin, type BunkerIdentity, type ClientMeta } from '../../db/bunkerStore.ts';
import type { WardenDb } from '../../db/schema.ts';
import type { RemoteHandler } from './dispatch.ts';
import { ReplyBudget } from './replyBudget.ts';

export const NIP46_KIND = 24133;
/** A request more than this far from our clock (either way) is refused as stale. */
export const FRESH_MS = 5 * 60_000;
/** An event's encrypted content above this is dropped unread (NIP-44's own maximum is smaller still). */
export const MAX_CONTENT_CHARS = 200_000;
/** Requests being answered at once; more are dropped until some finish (a flood costs no memory). */
export const MAX_IN_FLIGHT = 64;

const HEX64 = /^[0-9a-f]{64}$/;

export interface AnswerDeps {
  db: WardenDb;
  now: () => number;
  identity: BunkerIdentity;
  handle: RemoteHandler;
  /** The account a new client's grant is for; null while there is none (or the vault is locked). */
  accountId: () => number | null;
  sessionId: () => string;
  relays: () => string[];
  publish: (event: unknown) => void;
  onClientsChanged?: () => void;
}

/** What became of an event: for tests and the activity the options page shows, never sent anywhere. */
export type Handled =
  | { type: 'dropped'; why: string }
  | { type: 'replied'; id: string; result?: string; error?: string };

export class Answerer {
  private readonly secret: Uint8Array;
  private readonly keys = new Map<string, Uint8Array>();
  private readonly strangers: ReplyBudget;
  private inFlight = 0;

  constructor(private readonly deps: AnswerDeps) {
    this.secret = hexBytes(deps.identity.secretKey);
    this.strangers = new ReplyBudget(deps.now);
  }

  /** Never throws: whatever the relay sends ends as dropped or as one reply. */
  async receive(raw: unknown): Promise<Handled> {
    if (this.inFlight >= MAX_IN_FLIGHT) return { type: 'dropped', why: 'too many requests at once' };
    this.inFlight += 1;
    try {
      return await this.answer(raw);
    } catch {
      return { type: 'dropped', why: 'internal' };
    } finally {
      this.inFlight -= 1;
    }
  }

  private async answer(raw: unknown): Promise<Handled> {
    const event = wellFormed(raw);
    if (!event) return { type: 'dropped', why: 'not a NIP-46 event' };
    if (!event.tags.some((t) => t[0] === 'p' && t[1] === this.deps.identity.pubkey)) return { type: 'dropped', why: 'not addressed to the bunker' };
    if (!verifyEvent(event)) return { type: 'dropped', why: 'bad signature' };
    const client = event.pubkey;
    let request: Nip46Request;
    try {
      const parsed = nip46RequestSchema.safeParse(JSON.parse(nip44.v2.decrypt(event.content, this.conversationKey(client))));
      if (!parsed.success) return { type: 'dropped', why: 'not a NIP-46 request' };
      request = parsed.data;
    } catch {
      return { type: 'dropped', why: 'does not decrypt' };
    }
    const reply = (r: { result?: string; error?: string }) => this.reply(client, request.id, r);
    const known = await liveClient(this.deps.db, client);
    if (!known) {
      // A stranger gets a few short answers, within a budget, and nothing else: no prompt, no row
      // (its connect attempts write a seen row each, and only within this budget).
      if (!this.strangers.take(client)) return { type: 'dropped', why: 'stranger over its reply budget' };
      if (request.method !== 'connect') return reply({ error: 'unauthorized: connect with a token first' });
    }
    const now = this.deps.now();
    // The same event again (a relay re-sending it after a reconnect, or someone replaying it): nothing.
    if (!(await markSeen(this.deps.db, 'event', event.id, now, 2 * FRESH_MS))) return { type: 'dropped', why: 'event seen before' };
    // A new event that reuses a request id: refused, so a captured request cannot be re-signed and re-sent.
    if (!(await markSeen(this.deps.db, client, request.id, now, 2 * FRESH_MS))) return reply({ error: 'replayed request: this id was seen before' });
    if (Math.abs(event.created_at * 1000 - now) > FRESH_MS) return reply({ error: 'stale request: created_at is too far from now' });
    if (!known) return this.connect(client, request, reply);
    if (request.method === 'connect') return reply({ result: 'ack' });
    switch (request.method) {
      case 'ping':
        return reply({ result: 'pong' });
      case 'switch_relays':
        return reply({ result: JSON.stringify(this.deps.relays()) });
      case 'logout':
        await endClient(this.deps.db, client, now);
        this.deps.onClientsChanged?.();
        return reply({ result: 'ack' });
    }
    const nip07 = toNip07(request);
    if (!nip07) return reply({ error: `unknown method: ${request.method.slice(0, 40)}` });
    if ('error' in nip07) return reply({ error: nip07.error });
    try {
      const result = await this.deps.handle(known.origin, request.id, nip07.request);
      return reply({ result: typeof result === 'string' ? result : JSON.stringify(result) });
    } catch (err) {
      return reply({ error: err instanceof WardenError ? `${err.code}: ${err.message}` : 'internal: the request failed' });
    }
  }

  /** A stranger's connect: only a live token makes it a client. */
  private async connect(client: string, request: Nip46Request, reply: (r: { result?: string; error?: string }) => Promise<Handled>): Promise<Handled> {
    const [target, secret = '', , metadata] = request.params;
    if (target !== this.deps.identity.pubkey) return reply({ error: 'connect names another bunker' });
    const accountId = this.deps.accountId();
    if (accountId === null) return reply({ error: 'locked: the signer is locked' });
    if (!secret) return reply({ error: 'unauthorized: a connect token is needed' });
    try {
      await connectWithToken(this.deps.db, { token: secret, clientPubkey: client, accountId, meta: clientMeta(metadata), now: this.deps.now(), sessionId: this.deps.sessionId() });
    } catch (err) {
      return reply({ error: err instanceof WardenError ? `unauthorized: ${err.message}` : 'unauthorized' });
    }
    this.deps.onClientsChanged?.();
    return reply({ result: 'ack' });
  }

  /** Answers a client's nostrconnect:// URI: the client is recorded, and told the secret it chose. */
  async acceptNostrConnect(args: { clientPubkey: string; secret: string; meta: ClientMeta; rules: Parameters<typeof addClient>[1]['rules'] }): Promise<string> {
    const accountId = this.deps.accountId();
    if (accountId === null) throw new WardenError('locked', 'The signer is locked');
    const row = await addClient(this.deps.db, { clientPubkey: args.clientPubkey, accountId, meta: args.meta, now: this.deps.now(), sessionId: this.deps.sessionId(), rules: args.rules, tokenHash: null });
    this.deps.onClientsChanged?.();
    await this.reply(args.clientPubkey, crypto.randomUUID(), { result: args.secret });
    return row.origin;
  }

  private async reply(client: string, id: string, body: { result?: string; error?: string }): Promise<Handled> {
    const content = nip44.v2.encrypt(JSON.stringify({ id, result: body.result ?? '', ...(body.error ? { error: body.error } : {}) }), this.conversationKey(client));
    const event = finalizeEvent({ kind: NIP46_KIND, content, tags: [['p', client]], created_at: Math.floor(this.deps.now() / 1000) }, this.secret);
    this.deps.publish(event);
    return { type: 'replied', id, ...body };
  }

  private conversationKey(pubkey: string): Uint8Array {
    let key = this.keys.get(pubkey);
    if (!key) {
      key = nip44.v2.utils.getConversationKey(this.secret, pubkey);
      // Bounded: a flood of one-off keys does not grow it without end.
      if (this.keys.size >= 1_000) this.keys.clear();
      this.keys.set(pubkey, key);
    }
    return key;
  }
}

interface Nip46Event {
  id: string;
  pubkey: string;
  sig: string;
  kind: number;
  created_at: number;
  content: string;
  tags: string[][];
}

/** The event's shape, checked before its signature (a cheap refusal of junk). */
function wellFormed(raw: unknown): Nip46Event | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const e = raw as Record<string, unknown>;
  if (e.kind !== NIP46_KIND || typeof e.content !== 'string' || e.content.length > MAX_CONTENT_CHARS) return null;
  if (typeof e.id !== 'string' || typeof e.sig !== 'string' || typeof e.pubkey !== 'string' || !HEX64.test(e.pubkey)) return null;
  if (!Number.isSafeInteger(e.created_at) || (e.created_at as number) < 0) return null;
  if (!Array.isArray(e.tags) || e.tags.length > 100 || !e.tags.every((t) => Array.isArray(t) && t.every((x) => typeof x === 'string'))) return null;
  return e as unknown as Nip46Event;
}

function clientMeta(json: string | undefined): ClientMeta {
  if (!json) return {};
  try {
    const value = JSON.parse(json) as { name?: unknown; url?: unknown };
    return { name: typeof value.name === 'string' ? value.name : null, url: typeof value.url === 'string' ? value.url : null };
  } catch {
    return {};
  }
}

const NIP07_METHODS = new Set(['get_public_key', 'sign_event', 'nip04_encrypt', 'nip04_decrypt', 'nip44_encrypt', 'nip44_decrypt']);

/** A NIP-46 request as the NIP-07 request it is, validated by the same schemas; null for a method that has none. */
function toNip07(request: Nip46Request): { request: Nip07Request } | { error: string } | null {
  if (!NIP07_METHODS.has(request.method)) return null;
  const [a, b] = request.params;
  let params: unknown;
  if (request.method === 'get_public_key') params = {};
  else if (request.method === 'sign_event') {
    try {
      params = { event: JSON.parse(a ?? '') };
    } catch {
      return { error: 'invalid_request: the event is not JSON' };
    }
  } else params = request.method.endsWith('encrypt') ? { pubkey: a, plaintext: b } : { pubkey: a, ciphertext: b };
  const parsed = parseNip07Request(request.method as Nip07Request['method'], params);
  if (!parsed.ok) return { error: `invalid_request: ${parsed.error.issues[0]?.message ?? 'bad params'}` };
  return { request: parsed.request };
}

export { nip46Origin };
