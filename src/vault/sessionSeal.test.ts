// The copy of the unlocked keys in storage.session (docs/THREATS.md #18, #26): sealed, so no
// value there holds a key in any text form; still enough for a restarted worker (a new Vault over
// the same stores) to sign without the password; useless once locked or once the browser session
// (the session store) is gone.
import { describe, expect, it } from 'vitest';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import * as nip19 from 'nostr-tools/nip19';
import * as nip49 from 'nostr-tools/nip49';
import { bytesToHex } from 'nostr-tools/utils';
import { base64 } from '@scure/base';
import { Vault } from './vault.ts';
import { MemorySessionStore } from './sessionStore.ts';
import { IdbWrapKeyStore, MemoryWrapKeyStore, type WrapKeyStore } from './wrapKeyStore.ts';
import { SessionSeal, type SealedKeys } from './sessionSeal.ts';
import { uniqueDbName } from '../test/fixtures.ts';
import { openDb, T } from '../test/db.ts';

const PW = 'correct horse battery staple';
const UNLOCKED = 'vault.unlocked';

/** One "worker": a Vault over the named database, the session store and the wrapping-key store. */
function worker(name: string, session: MemorySessionStore, wrapKeys?: WrapKeyStore) {
  return new Vault({ db: openDb(name), session, now: () => T, scryptLogN: 8, ...(wrapKeys ? { wrapKeys } : {}) });
}

/** Every text form a secret key could leak in. */
function forms(sk: Uint8Array): string[] {
  const hex = bytesToHex(sk);
  return [hex, hex.toUpperCase(), nip19.nsecEncode(sk), base64.encode(sk), JSON.stringify(Array.from(sk)), JSON.stringify({ ...sk })];
}

/** Every value of the session store, as text (nested objects and arrays included). */
const everything = (session: MemorySessionStore) => JSON.stringify([...session.data.entries()]);

describe('the session copy of the unlocked keys', () => {
  // How each key came in: the vault holds it unlocked afterwards, so storage.session has its copy.
  const ways: [string, (v: Vault, sk: Uint8Array) => Promise<unknown>][] = [
    ['imported as nsec', (v, sk) => v.import(nip19.nsecEncode(sk), PW)],
    ['imported as hex', (v, sk) => v.import(bytesToHex(sk), PW)],
    ['imported as an ncryptsec (re-encrypted)', (v, sk) => v.import(nip49.encrypt(sk, PW, 4), PW)],
    ['imported as an ncryptsec (kept)', (v, sk) => v.import(nip49.encrypt(sk, PW, 8), PW)],
  ];

  it.each(ways)('holds no text form of a key %s, nor of a created one; a restart still unlocks both', async (_how, add) => {
    const name = uniqueDbName('seal');
    const session = new MemorySessionStore();
    const wrapKeys = new MemoryWrapKeyStore();
    const first = worker(name, session, wrapKeys);
    await first.restore();
    const created = await first.create(PW);
    const sk = generateSecretKey();
    await add(first, sk);
    const createdSk = first.secretKey(created.id);
    const keys = [sk, createdSk];

    const stored = everything(session);
    expect(session.data.has(UNLOCKED)).toBe(true);
    for (const k of keys) for (const form of forms(k)) expect(stored).not.toContain(form);

    // The "restart": a new Vault over the same database and stores.
    const restarted = worker(name, session, wrapKeys);
    await restarted.restore();
    expect(restarted.locked).toBe(false);
    const accounts = restarted.list();
    expect(accounts.map((a) => a.pubkey).sort()).toEqual(keys.map((k) => getPublicKey(k)).sort());
    for (const a of accounts) expect(getPublicKey(restarted.secretKey(a.id))).toBe(a.pubkey);
    // Still none after the restart wrote its own state.
    for (const k of keys) for (const form of forms(k)) expect(everything(session)).not.toContain(form);
  });

  it('the wrapping key cannot be exported, and the default one lives in IndexedDB (a restart finds it)', async () => {
    const name = uniqueDbName('seal-idb');
    const session = new MemorySessionStore();
    const first = worker(name, session);
    await first.restore();
    const a = await first.create(PW);
    const key = await new IdbWrapKeyStore(`${name}-session-key`).load();
    expect(key).toBeInstanceOf(CryptoKey);
    expect(key!.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('raw', key!)).rejects.toThrow();

    const restarted = worker(name, session);
    await restarted.restore();
    expect(bytesToHex(restarted.secretKey(a.id))).toBe(bytesToHex(first.secretKey(a.id)));
  });

  it('a lock drops the wrapping key: a copy taken before it never opens again, even after a new unlock', async () => {
    const name = uniqueDbName('seal');
    const session = new MemorySessionStore();
    const wrapKeys = new MemoryWrapKeyStore();
    const first = worker(name, session, wrapKeys);
    await first.restore();
    const a = await first.create(PW);
    const stolen = structuredClone(session.data.get(UNLOCKED));
    await first.lock();
    expect(session.data.has(UNLOCKED)).toBe(false);
    expect(wrapKeys.key).toBeUndefined();

    // Put back after the lock: it does not unlock a restarted worker.
    await session.set(UNLOCKED, stolen);
    const restarted = worker(name, session, wrapKeys);
    await restarted.restore();
    expect(restarted.locked).toBe(true);
    expect(session.data.has(UNLOCKED)).toBe(false);

    // A new unlock seals under a new key: the old copy still opens nothing.
    await restarted.unlock(PW);
    const newKey = wrapKeys.key;
    expect(newKey).toBeDefined();
    expect((await new SessionSeal(wrapKeys).open(stolen)).size).toBe(0);
    expect(restarted.secretKey(a.id)).toHaveLength(32);
  });

  it('a new browser session (empty session store) is locked, and the left-over wrapping key is dropped', async () => {
    const name = uniqueDbName('seal');
    const wrapKeys = new MemoryWrapKeyStore();
    const first = worker(name, new MemorySessionStore(), wrapKeys);
    await first.restore();
    await first.create(PW);
    expect(wrapKeys.key).toBeDefined();
    const next = worker(name, new MemorySessionStore(), wrapKeys);
    await next.restore();
    expect(next.status()).toMatchObject({ locked: true, hasAccount: true });
    expect(wrapKeys.key).toBeUndefined();
  });

  it('the sealed copy without its wrapping key opens nothing', async () => {
    const name = uniqueDbName('seal');
    const session = new MemorySessionStore();
    const first = worker(name, session, new MemoryWrapKeyStore());
    await first.restore();
    await first.create(PW);
    const other = worker(name, session, new MemoryWrapKeyStore());
    await other.restore();
    expect(other.locked).toBe(true);
  });

  // A damaged, forged or old-format copy: that account stays locked; nothing throws.
  const damaged: [string, (saved: SealedKeys, id: string) => unknown][] = [
    ['a flipped ciphertext byte', (s, id) => ({ [id]: { ...s[id]!, box: flip(s[id]!.box) } })],
    ['a flipped iv byte', (s, id) => ({ [id]: { ...s[id]!, iv: flip(s[id]!.iv) } })],
    ['the box moved to another account id', (s, id) => ({ [String(Number(id) + 1)]: s[id] })],
    ['the old format (hex strings)', (_s, id) => ({ [id]: bytesToHex(generateSecretKey()) })],
    ['not base64', (_s, id) => ({ [id]: { iv: '***', box: '***' } })],
    ['an id that is not a number', (s, id) => ({ [`${id}x`]: s[id] })],
    ['a string', () => 'deadbeef'],
    ['null', () => null],
    ['an array', (s, id) => [s[id]]],
  ];

  it.each(damaged)('%s: that account stays locked, no key is held under another id, the copy is removed', async (_what, damage) => {
    const name = uniqueDbName('seal');
    const session = new MemorySessionStore();
    const wrapKeys = new MemoryWrapKeyStore();
    const first = worker(name, session, wrapKeys);
    await first.restore();
    const a = await first.create(PW);
    await first.create(PW); // a second account, so a moved box has an id to land on
    const saved = session.data.get(UNLOCKED) as SealedKeys;
    await session.set(UNLOCKED, damage(saved, String(a.id)));
    const restarted = worker(name, session, wrapKeys);
    await restarted.restore();
    expect(() => restarted.secretKey(a.id)).toThrow();
    for (const acc of restarted.list()) {
      let held: Uint8Array | undefined;
      try {
        held = restarted.secretKey(acc.id);
      } catch {
        held = undefined;
      }
      if (held) expect(getPublicKey(held)).toBe(acc.pubkey);
    }
    expect(restarted.locked).toBe(true);
    expect(session.data.has(UNLOCKED)).toBe(false);
  });

  it('when the wrapping key cannot be kept, the unlock holds in memory only: no copy at all in storage.session', async () => {
    const broken: WrapKeyStore = {
      load: async () => undefined,
      save: async () => {
        throw new Error('no IndexedDB');
      },
      clear: async () => undefined,
    };
    const name = uniqueDbName('seal');
    const session = new MemorySessionStore();
    const first = worker(name, session, broken);
    await first.restore();
    const a = await first.create(PW);
    expect(first.locked).toBe(false);
    expect(getPublicKey(first.secretKey(a.id))).toBe(a.pubkey);
    expect(session.data.has(UNLOCKED)).toBe(false);
    const restarted = worker(name, session, broken);
    await restarted.restore();
    expect(restarted.locked).toBe(true);
  });

  it('a lock while an unlock\'s sealed copy is still being written leaves no copy behind', async () => {
    const name = uniqueDbName('seal');
    const session = new MemorySessionStore();
    const wrapKeys = new MemoryWrapKeyStore();
    const v = worker(name, session, wrapKeys);
    await v.restore();
    await v.create(PW);
    await v.lock();
    // From now on, keeping a new wrapping key waits until released: the unlock's write is in flight.
    let saving!: () => void;
    let release!: () => void;
    const started = new Promise<void>((ok) => (saving = ok));
    const gate = new Promise<void>((ok) => (release = ok));
    const save = wrapKeys.save.bind(wrapKeys);
    wrapKeys.save = async (key) => {
      saving();
      await gate;
      await save(key);
    };
    const unlocking = v.unlock(PW);
    await started;
    expect(v.locked).toBe(false);
    const locking = v.lock();
    release();
    await Promise.all([unlocking, locking]);
    expect(v.locked).toBe(true);
    expect(session.data.has(UNLOCKED)).toBe(false);
    expect(wrapKeys.key).toBeUndefined();
  });
});

function flip(b64: string): string {
  const bytes = base64.decode(b64);
  bytes[0] = bytes[0]! ^ 1;
  return base64.encode(bytes);
}
