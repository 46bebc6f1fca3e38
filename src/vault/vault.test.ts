import { describe, expect, it } from 'vitest';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import * as nip19 from 'nostr-tools/nip19';
import * as nip49 from 'nostr-tools/nip49';
import { bytesToHex } from 'nostr-tools/utils';
import { Vault } from './vault.ts';
import { ncryptsecLogN } from './keys.ts';
import { MemorySessionStore } from './sessionStore.ts';
import { WardenError } from '../shared/errors.ts';
import { uniqueDbName } from '../test/fixtures.ts';
import { openDb, T } from '../test/db.ts';

const PW = 'correct horse battery staple';

function setup(name = uniqueDbName(), session = new MemorySessionStore()) {
  const db = openDb(name);
  const vault = new Vault({ db, session, now: () => T, scryptLogN: 8 });
  return { db, session, vault, name };
}

async function caught(fn: () => unknown): Promise<WardenError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof WardenError) return err;
    throw new Error(`expected a WardenError, got ${String(err)}`);
  }
  throw new Error('expected a rejection');
}

describe('Vault', () => {
  it('starts empty: locked, no account, requireActive → no_account, unlock → no_account', async () => {
    const { vault } = setup();
    await vault.restore();
    expect(vault.status()).toEqual({ locked: true, hasAccount: false });
    expect((await caught(() => vault.requireActive())).code).toBe('no_account');
    expect((await caught(() => vault.unlock(PW))).code).toBe('no_account');
  });

  it('create → unlocked and active; the stored row holds only an ncryptsec', async () => {
    const { vault, db } = setup();
    await vault.restore();
    const a = await vault.create(PW, 'Main');
    expect(a).toMatchObject({ label: 'Main', createdAt: T });
    expect(a.pubkey).toMatch(/^[0-9a-f]{64}$/);
    expect(vault.status()).toEqual({ locked: false, hasAccount: true, account: { id: a.id, pubkey: a.pubkey, label: 'Main' } });
    expect(vault.requireActive().id).toBe(a.id);
    expect(getPublicKey(vault.secretKey(a.id))).toBe(a.pubkey);
    const [row] = await db.accounts.toArray();
    expect(row!.ncryptsec).toMatch(/^ncryptsec1/);
    expect(JSON.stringify(row)).not.toContain(bytesToHex(vault.secretKey(a.id)));
    expect(getPublicKey(nip49.decrypt(row!.ncryptsec, PW))).toBe(a.pubkey);
    expect(vault.list()).toEqual([{ id: a.id, pubkey: a.pubkey, label: 'Main', createdAt: T }]);
  });

  it('a default label is given when none (or blank) is passed', async () => {
    const { vault } = setup();
    await vault.restore();
    expect((await vault.create(PW)).label).toBe('Account 1');
    expect((await vault.create(PW, '   ')).label).toBe('Account 2');
  });

  it('lock clears the keys from memory and their sealed copy from the session store', async () => {
    const { vault, session } = setup();
    await vault.restore();
    const a = await vault.create(PW);
    const key = vault.secretKey(a.id);
    expect(session.data.get('vault.unlocked')).toEqual({ [a.id]: expect.anything() });
    const hex = bytesToHex(key);
    await vault.lock();
    expect(session.data.has('vault.unlocked')).toBe(false);
    expect(vault.locked).toBe(true);
    expect(vault.status().locked).toBe(true);
    expect((await caught(() => vault.secretKey(a.id))).code).toBe('locked');
    expect((await caught(() => vault.requireActive())).code).toBe('locked');
    expect(JSON.stringify([...session.data.values()])).not.toContain(hex);
    // The cached key bytes were wiped, not just dropped.
    expect(key.every((b) => b === 0)).toBe(true);
  });

  it('unlock: a wrong password is denied and leaves it locked; the right one unlocks', async () => {
    const { vault } = setup();
    await vault.restore();
    const a = await vault.create(PW);
    await vault.lock();
    const err = await caught(() => vault.unlock('wrong password'));
    expect(err.code).toBe('denied');
    expect(vault.locked).toBe(true);
    await vault.unlock(PW);
    expect(vault.locked).toBe(false);
    expect(getPublicKey(vault.secretKey(a.id))).toBe(a.pubkey);
  });

  describe('import', () => {
    it('nsec', async () => {
      const { vault } = setup();
      await vault.restore();
      const sk = generateSecretKey();
      const a = await vault.import(nip19.nsecEncode(sk), PW, 'Imported');
      expect(a.pubkey).toBe(getPublicKey(sk));
      expect(vault.status()).toMatchObject({ locked: false, account: { id: a.id, label: 'Imported' } });
      expect(vault.secretKey(a.id)).toEqual(sk);
    });

    it('64-hex, upper or lower case, with surrounding whitespace', async () => {
      const { vault } = setup();
      await vault.restore();
      const sk = generateSecretKey();
      const a = await vault.import(`  ${bytesToHex(sk).toUpperCase()}\n`, PW);
      expect(a.pubkey).toBe(getPublicKey(sk));
    });

    it('ncryptsec under the vault password', async () => {
      const { vault } = setup();
      await vault.restore();
      const sk = generateSecretKey();
      const a = await vault.import(nip49.encrypt(sk, PW, 8), PW);
      expect(a.pubkey).toBe(getPublicKey(sk));
      expect(vault.secretKey(a.id)).toEqual(sk);
    });

    it.each([
      [1, 'encrypted again at the vault\'s cost', 8],
      [7, 'encrypted again at the vault\'s cost', 8],
      [8, 'kept as it came', 8],
      [10, 'kept as it came (its cost is higher)', 10],
    ])('an ncryptsec made at log_n %i is %s', async (logN, _what, storedLogN) => {
      const { vault, db } = setup();
      await vault.restore();
      const sk = generateSecretKey();
      const given = nip49.encrypt(sk, PW, logN);
      const a = await vault.import(given, PW);
      const row = await db.accounts.get(a.id);
      expect(ncryptsecLogN(row!.ncryptsec)).toBe(storedLogN);
      expect(row!.ncryptsec === given).toBe(logN >= 8);
      expect(nip49.decrypt(row!.ncryptsec, PW)).toEqual(sk);
    });

    it('ncryptsec with a wrong password → denied, nothing stored', async () => {
      const { vault, db } = setup();
      await vault.restore();
      const ncryptsec = nip49.encrypt(generateSecretKey(), 'other', 8);
      expect((await caught(() => vault.import(ncryptsec, PW))).code).toBe('denied');
      expect(await db.accounts.count()).toBe(0);
    });

    it('the same key twice returns the existing account', async () => {
      const { vault, db } = setup();
      await vault.restore();
      const sk = generateSecretKey();
      const first = await vault.import(bytesToHex(sk), PW, 'first');
      const again = await vault.import(nip19.nsecEncode(sk), PW, 'second');
      const third = await vault.import(nip49.encrypt(sk, PW, 8), PW);
      expect(again).toEqual(first);
      expect(third).toEqual(first);
      expect(await db.accounts.count()).toBe(1);
      expect(vault.list()).toHaveLength(1);
    });

    it('a second account needs the vault password; then one unlock opens both', async () => {
      const { vault } = setup();
      await vault.restore();
      const first = await vault.create(PW);
      const sk = generateSecretKey();
      expect((await caught(() => vault.import(bytesToHex(sk), 'another password'))).code).toBe('denied');
      expect((await caught(() => vault.create('another password'))).code).toBe('denied');
      expect(vault.list()).toHaveLength(1);
      const second = await vault.import(bytesToHex(sk), PW);
      expect(vault.status().account?.id).toBe(second.id); // the new account becomes active
      await vault.lock();
      await vault.unlock(PW);
      expect(getPublicKey(vault.secretKey(first.id))).toBe(first.pubkey);
      expect(getPublicKey(vault.secretKey(second.id))).toBe(second.pubkey);
    });

    it('adding an account while locked (right password) unlocks the vault', async () => {
      const { vault } = setup();
      await vault.restore();
      const first = await vault.create(PW);
      await vault.lock();
      const second = await vault.create(PW);
      expect(vault.locked).toBe(false);
      expect(getPublicKey(vault.secretKey(first.id))).toBe(first.pubkey);
      expect(getPublicKey(vault.secretKey(second.id))).toBe(second.pubkey);
    });
  });

  it('select: switches the active account; an unknown id is not_found', async () => {
    const { vault, session, name } = setup();
    await vault.restore();
    const a = await vault.create(PW);
    const b = await vault.create(PW);
    expect(vault.active()?.id).toBe(b.id);
    await vault.select(a.id);
    expect(vault.requireActive().id).toBe(a.id);
    expect((await caught(() => vault.select(999))).code).toBe('not_found');
    expect(vault.active()?.id).toBe(a.id);
    // The choice is stored: a restarted vault keeps it.
    const again = setup(name, session).vault;
    await again.restore();
    expect(again.active()?.id).toBe(a.id);
  });

  it('export returns an ncryptsec that decrypts to the same pubkey; a wrong password is denied', async () => {
    const { vault } = setup();
    await vault.restore();
    const a = await vault.create(PW);
    const ncryptsec = await vault.export(a.id, PW);
    expect(ncryptsec).toMatch(/^ncryptsec1/);
    expect(getPublicKey(nip49.decrypt(ncryptsec, PW))).toBe(a.pubkey);
    expect((await caught(() => vault.export(a.id, 'nope'))).code).toBe('denied');
    expect((await caught(() => vault.export(999, PW))).code).toBe('not_found');
    // Export works while locked too (it needs the password anyway).
    await vault.lock();
    expect(getPublicKey(nip49.decrypt(await vault.export(a.id, PW), PW))).toBe(a.pubkey);
  });

  describe('restore (worker restart)', () => {
    it('a new Vault over the same db and session store keeps the unlock', async () => {
      const first = setup();
      await first.vault.restore();
      const a = await first.vault.create(PW);
      const key = bytesToHex(first.vault.secretKey(a.id));

      const restarted = setup(first.name, first.session);
      expect(restarted.vault.locked).toBe(true); // nothing known before restore()
      await restarted.vault.restore();
      expect(restarted.vault.locked).toBe(false);
      expect(restarted.vault.requireActive().id).toBe(a.id);
      expect(bytesToHex(restarted.vault.secretKey(a.id))).toBe(key);
    });

    it('a new session store (browser restart) starts locked', async () => {
      const first = setup();
      await first.vault.restore();
      await first.vault.create(PW);
      const restarted = setup(first.name, new MemorySessionStore());
      await restarted.vault.restore();
      expect(restarted.vault.status()).toMatchObject({ locked: true, hasAccount: true });
      expect((await caught(() => restarted.vault.requireActive())).code).toBe('locked');
    });

    it('a lock before the restart stays locked after it', async () => {
      const first = setup();
      await first.vault.restore();
      await first.vault.create(PW);
      await first.vault.lock();
      const restarted = setup(first.name, first.session);
      await restarted.vault.restore();
      expect(restarted.vault.locked).toBe(true);
    });

    it('session keys of accounts that no longer exist are ignored', async () => {
      const { vault, session } = setup();
      await session.set('vault.unlocked', { '42': bytesToHex(generateSecretKey()) });
      await vault.restore();
      expect(vault.locked).toBe(true);
    });
  });

  describe('no error message contains the secret that was passed in', () => {
    const sk = generateSecretKey();
    const hex = bytesToHex(sk);
    const nsec = nip19.nsecEncode(sk);
    const cases: [string, string][] = [
      ['valid hex, wrong vault password', hex],
      ['valid nsec, wrong vault password', nsec],
      ['63 hex chars', hex.slice(1)],
      ['65 hex chars', `${hex}a`],
      ['hex of zero (not a valid key)', '0'.repeat(64)],
      ['hex above the curve order', 'f'.repeat(64)],
      ['nsec with a broken checksum', `${nsec.slice(0, -1)}${nsec.endsWith('q') ? 'p' : 'q'}`],
      ['nsec truncated', nsec.slice(0, 40)],
      ['npub instead of nsec', nip19.npubEncode(getPublicKey(sk))],
      ['garbage ncryptsec', `ncryptsec1${hex}`],
      ['hex with a prefix', `0x${hex}`],
      ['hex inside text', `my key is ${hex}`],
    ];
    it.each(cases)('%s', async (_name, secret) => {
      const { vault } = setup();
      await vault.restore();
      await vault.create(PW); // so a valid key meets the vault-password check
      const err = await caught(() => vault.import(secret, 'not the vault password'));
      expect(['invalid_request', 'denied']).toContain(err.code);
      for (const text of [err.message, String(err), err.stack ?? '', JSON.stringify(err)]) {
        expect(text).not.toContain(secret.trim());
        expect(text).not.toContain(hex);
        expect(text).not.toContain(nsec);
        expect(text).not.toContain(hex.slice(8, 40));
      }
    });
  });
});

describe('wrong passwords slow down', () => {
  it('after 3 wrong passwords each try waits, twice as long each time; a right one clears it; a restart keeps it', async () => {
    let now = T;
    const db = openDb(uniqueDbName('backoff'));
    const session = new MemorySessionStore();
    const vault = new Vault({ db, session, now: () => now, scryptLogN: 8 });
    await vault.restore();
    const a = await vault.create(PW);
    await vault.lock();
    for (let i = 0; i < 3; i++) expect((await caught(() => vault.unlock('wrong wrong'))).code).toBe('denied');
    // Now even the right password waits (1 s), and the wait is said.
    const waiting = await caught(() => vault.unlock(PW));
    expect(waiting.code).toBe('rate_limited');
    expect(waiting.message).toMatch(/try again in 1 s/);
    now += 1_000;
    expect((await caught(() => vault.export(a.id, 'wrong wrong'))).code).toBe('denied'); // a 4th wrong one: 2 s
    now += 1_999;
    // A worker or browser restart does not reset it.
    const restarted = new Vault({ db, session: new MemorySessionStore(), now: () => now, scryptLogN: 8 });
    await restarted.restore();
    expect((await caught(() => restarted.unlock(PW))).code).toBe('rate_limited');
    now += 1;
    await restarted.unlock(PW);
    expect(restarted.locked).toBe(false);
    // Cleared: the next wrong one is free again.
    expect((await caught(() => restarted.export(a.id, 'wrong wrong'))).code).toBe('denied');
    expect(await restarted.export(a.id, PW)).toMatch(/^ncryptsec1/);
  });
});
