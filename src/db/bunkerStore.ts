// The bunker's rows: its key, its relays, connect tokens, connected clients and seen request ids.
// A token is spent, and its client and grant written, in one transaction: two clients racing with
// one single-use token cannot both connect (docs/THREATS.md, Remote signing).
import { bytesToHex } from '@noble/hashes/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { npubEncode } from 'nostr-tools/nip19';
import { fail } from '../shared/errors.ts';
import type { RuleInput } from '../shared/protocol.ts';
import type { RemoteLabel } from '../shared/adminResults.ts';
import type { BunkerClientRow, BunkerTokenRow } from './bunkerSchema.ts';
import { createGrant } from './policy.ts';
import type { WardenDb } from './schema.ts';

export const NIP46_ORIGIN_PREFIX = 'nip46:';
export const nip46Origin = (clientPubkey: string) => `${NIP46_ORIGIN_PREFIX}${clientPubkey}`;

const encoder = new TextEncoder();
export const tokenHash = (token: string) => bytesToHex(sha256(encoder.encode(token)));

export interface BunkerIdentity {
  secretKey: string;
  pubkey: string;
}

/** The bunker's own key pair, made once. It is a transport key: it signs no event in the user's name. */
export async function bunkerIdentity(db: WardenDb): Promise<BunkerIdentity> {
  return db.transaction('rw', db.bunkerState, async () => {
    const row = await db.bunkerState.get('identity');
    const stored = row?.value as Partial<BunkerIdentity> | undefined;
    if (typeof stored?.secretKey === 'string' && /^[0-9a-f]{64}$/.test(stored.secretKey)) {
      return { secretKey: stored.secretKey, pubkey: getPublicKey(hexBytes(stored.secretKey)) };
    }
    const secretKey = bytesToHex(generateSecretKey());
    await db.bunkerState.put({ key: 'identity', value: { secretKey } });
    return { secretKey, pubkey: getPublicKey(hexBytes(secretKey)) };
  });
}

export function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!.map((b) => parseInt(b, 16)));
}

export interface BunkerConfig {
  enabled: boolean;
  relays: string[];
}

export async function getBunkerConfig(db: WardenDb): Promise<BunkerConfig> {
  const value = (await db.bunkerState.get('config'))?.value as Partial<BunkerConfig> | undefined;
  const relays = Array.isArray(value?.relays) ? value.relays.filter((r): r is string => typeof r === 'string') : [];
  return { enabled: value?.enabled === true, relays };
}

export async function setBunkerConfig(db: WardenDb, config: BunkerConfig): Promise<void> {
  await db.bunkerState.put({ key: 'config', value: { enabled: config.enabled, relays: [...config.relays] } });
}

export interface TokenInput {
  rules: RuleInput[];
  expiresAt?: number | null | undefined;
  uses?: number | undefined;
  label?: string | undefined;
}

/** A new token: 32 random bytes as hex. Only its hash is stored. */
export async function createToken(db: WardenDb, input: TokenInput, now: number): Promise<string> {
  const token = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
  await db.bunkerTokens.add({
    hash: tokenHash(token),
    label: input.label ?? '',
    rules: input.rules,
    uses: input.uses ?? 1,
    used: 0,
    createdAt: now,
    expiresAt: input.expiresAt ?? null,
    revokedAt: null,
  });
  return token;
}

/** Why a token cannot connect a client now, or null when it can. */
export function tokenRefusal(row: BunkerTokenRow | undefined, now: number): string | null {
  if (!row) return 'unknown token';
  // Revocation is absolute, whatever the clock says (docs/THREATS.md #31 and below).
  if (row.revokedAt !== null) return 'token revoked';
  if (row.expiresAt !== null && row.expiresAt <= now) return 'token expired';
  if (row.used >= row.uses) return 'token already used';
  return null;
}

export async function revokeToken(db: WardenDb, which: { token: string } | { hash: string }, now: number): Promise<void> {
  const hash = 'token' in which ? tokenHash(which.token) : which.hash;
  await db.transaction('rw', db.bunkerTokens, async () => {
    const row = await db.bunkerTokens.get(hash);
    if (!row) throw fail('not_found', 'No such connect token');
    if (row.revokedAt === null) await db.bunkerTokens.update(hash, { revokedAt: now });
  });
}

export interface ClientMeta {
  name?: string | null | undefined;
  url?: string | null | undefined;
}

/**
 * Connects a client with a token: the token is checked and spent, the client recorded and its
 * grant made with the token's rules, all or nothing.
 */
export async function connectWithToken(
  db: WardenDb,
  args: { token: string; clientPubkey: string; accountId: number; meta: ClientMeta; now: number; sessionId: string },
): Promise<BunkerClientRow> {
  const hash = tokenHash(args.token);
  return db.transaction('rw', [db.bunkerTokens, db.bunkerClients, db.grants, db.rules], async () => {
    const row = await db.bunkerTokens.get(hash);
    const refusal = tokenRefusal(row, args.now);
    if (refusal) throw fail('denied', refusal);
    await db.bunkerTokens.update(hash, { used: row!.used + 1 });
    // The token's expiry bounds when it may connect, not how long the grant lasts.
    return addClient(db, { ...args, rules: row!.rules, expiresAt: null, tokenHash: hash });
  });
}

/** Records a client and gives it a grant (used by a token connect and by accept_nostrconnect). */
export async function addClient(
  db: WardenDb,
  args: { clientPubkey: string; accountId: number; meta: ClientMeta; now: number; sessionId: string; rules: RuleInput[]; expiresAt?: number | null; tokenHash: string | null },
): Promise<BunkerClientRow> {
  const origin = nip46Origin(args.clientPubkey);
  return db.transaction('rw', [db.bunkerClients, db.grants, db.rules], async () => {
    await createGrant(db, { origin, accountId: args.accountId, rules: args.rules, expiresAt: args.expiresAt ?? null }, args.now, args.sessionId);
    const client: BunkerClientRow = {
      pubkey: args.clientPubkey,
      origin,
      name: clip(args.meta.name),
      url: clip(args.meta.url),
      connectedAt: args.now,
      tokenHash: args.tokenHash,
      endedAt: null,
    };
    await db.bunkerClients.put(client);
    return client;
  });
}

const clip = (s: string | null | undefined) => (typeof s === 'string' && s.length ? s.slice(0, 100) : null);

/**
 * How a page names a remote client's site: the name the client gave when it connected (its own
 * claim, shown as such) and its key. Null for a web origin or a client never recorded.
 */
export async function remoteLabel(db: WardenDb, origin: string): Promise<RemoteLabel | null> {
  if (!origin.startsWith(NIP46_ORIGIN_PREFIX)) return null;
  const pubkey = origin.slice(NIP46_ORIGIN_PREFIX.length);
  const row = await db.bunkerClients.get(pubkey);
  return row ? { name: row.name, npub: npubEncode(pubkey) } : null;
}

/** A client that connected and has not logged out or been cut off. */
export async function liveClient(db: WardenDb, pubkey: string): Promise<BunkerClientRow | undefined> {
  const row = await db.bunkerClients.get(pubkey);
  return row && row.endedAt === null ? row : undefined;
}

/** Ends a client's session and revokes its live grants: its next request is a stranger's. */
export async function endClient(db: WardenDb, pubkey: string, now: number): Promise<void> {
  await db.transaction('rw', db.bunkerClients, db.grants, async () => {
    const row = await db.bunkerClients.get(pubkey);
    if (!row) throw fail('not_found', 'No such remote client');
    if (row.endedAt === null) await db.bunkerClients.update(pubkey, { endedAt: now });
    await db.grants.where('origin').equals(row.origin).modify((g) => {
      if (g.revokedAt == null) g.revokedAt = now;
    });
  });
}

/**
 * Notes a request as seen; false if it was seen before (a replay). Rows older than `keepMs` go:
 * by then the freshness check refuses the request anyway.
 */
export async function markSeen(db: WardenDb, client: string, requestId: string, now: number, keepMs: number): Promise<boolean> {
  return db.transaction('rw', db.bunkerSeen, async () => {
    if (await db.bunkerSeen.get([client, requestId])) return false;
    await db.bunkerSeen.put({ client, requestId, seenAt: now });
    await db.bunkerSeen.where('seenAt').below(now - keepMs).delete();
    return true;
  });
}
