// The only holder of secret keys: NIP-49 at rest, plain only in the background's memory, and
// sealed (AES-GCM under a non-extractable key, sessionSeal.ts) in storage.session.
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { fail } from '../shared/errors.ts';
import { PasswordChecks } from './passwordChecks.ts';
import type { Account } from '../policy/records.ts';
import type { WardenDb } from '../db/schema.ts';
import { addAccount, listAccounts } from '../db/accounts.ts';
import { getSetting, setSetting } from '../db/settings.ts';
import { decryptNcryptsec, encryptSecret, ncryptsecLogN, parseSecret } from './keys.ts';
import type { SessionStore } from './sessionStore.ts';
import { SessionCopy } from './sessionCopy.ts';
import { IdbWrapKeyStore, type WrapKeyStore } from './wrapKeyStore.ts';
import type { PublicAccount } from '../shared/adminResults.ts';

export type { PublicAccount };

export interface VaultOptions {
  db: WardenDb;
  session: SessionStore;
  now: () => number;
  /** scrypt cost of new ncryptsecs; 16 is NIP-49's recommendation. */
  scryptLogN?: number;
  /** Where the key sealing the session copy lives; by default an IndexedDB database beside `db`. */
  wrapKeys?: WrapKeyStore;
}

const publicView = ({ id, pubkey, label, createdAt }: Account): PublicAccount => ({ id, pubkey, label, createdAt });

export class Vault {
  private accounts: Account[] = [];
  private activeId: number | null = null;
  private readonly unlocked = new Map<number, Uint8Array>();
  private readonly passwords: PasswordChecks;
  private readonly sessionCopy: SessionCopy;

  constructor(private readonly opts: VaultOptions) {
    const wrapKeys = opts.wrapKeys ?? new IdbWrapKeyStore(`${opts.db.name}-session-key`);
    this.sessionCopy = new SessionCopy(opts.session, wrapKeys, () => this.unlocked);
    // Every password check (unlock, adding a key, export, deleting a key) goes through it.
    this.passwords = new PasswordChecks(opts.db, opts.now);
  }

  /** The scrypt cost every stored key has at least. */
  private get logN(): number {
    return this.opts.scryptLogN ?? 16;
  }

  /** Called once at worker start: a restart keeps the unlock, a browser restart does not. */
  async restore(): Promise<void> {
    this.accounts = await listAccounts(this.opts.db);
    await this.passwords.load();
    this.activeId = await getSetting(this.opts.db, 'activeAccountId');
    this.unlocked.clear();
    const opened = await this.sessionCopy.read();
    for (const [id, key] of opened) {
      if (this.has(id)) this.unlocked.set(id, key);
      else key.fill(0);
    }
    // Nothing to resume (a new browser session, or a copy that no longer opens): no wrapping key
    // and no sealed copy stay behind.
    if (!this.unlocked.size) await this.persist();
  }

  get locked(): boolean {
    return this.unlocked.size === 0;
  }

  active(): Account | undefined {
    return this.accounts.find((a) => a.id === this.activeId) ?? this.accounts[0];
  }

  status(): { locked: boolean; hasAccount: boolean; account?: { id: number; pubkey: string; label: string } } {
    const a = this.active();
    return { locked: this.locked, hasAccount: this.accounts.length > 0, ...(a ? { account: { id: a.id, pubkey: a.pubkey, label: a.label } } : {}) };
  }

  list(): PublicAccount[] {
    return this.accounts.map(publicView);
  }

  has(accountId: number): boolean {
    return this.accounts.some((a) => a.id === accountId);
  }

  /** The account an admin call means: the one it names (which must exist), else the active one. */
  accountIdOrActive(accountId?: number): number {
    if (accountId !== undefined) {
      if (!this.has(accountId)) throw fail('not_found', `no account #${accountId}`);
      return accountId;
    }
    const active = this.active();
    if (!active) throw fail('no_account', 'No Nostr account in the signer yet');
    return active.id;
  }

  /** The account a site request runs as; refuses with `no_account` or `locked`. */
  requireActive(): Account {
    const a = this.active();
    if (!a) throw fail('no_account', 'No Nostr account in the signer yet');
    if (!this.unlocked.has(a.id)) throw fail('locked', 'The signer is locked');
    return a;
  }

  /** Synchronous on purpose: it is called inside the guard's transaction. */
  secretKey(accountId: number): Uint8Array {
    const key = this.unlocked.get(accountId);
    if (!key) throw fail('locked', 'The signer is locked');
    return key;
  }

  async create(password: string, label?: string): Promise<PublicAccount> {
    return this.store(generateSecretKey(), password, label);
  }

  async import(secret: string, password: string, label?: string): Promise<PublicAccount> {
    const parsed = parseSecret(secret);
    if (parsed.kind === 'plain') return this.store(parsed.secretKey, password, label);
    const key = decryptNcryptsec(parsed.ncryptsec, password);
    // A cheap scrypt cost would make the shared vault password cheap to guess, and with it every
    // key (docs/THREATS.md #33): below the vault's own cost the key is encrypted again.
    const keep = ncryptsecLogN(parsed.ncryptsec) >= this.logN ? parsed.ncryptsec : undefined;
    return this.store(key, password, label, keep);
  }

  /** Takes `secretKey` over: it is kept as the unlocked key or zeroed, whatever happens. */
  private async store(secretKey: Uint8Array, password: string, label?: string, ncryptsec?: string): Promise<PublicAccount> {
    let kept = false;
    try {
      await this.verifyVaultPassword(password);
      const pubkey = getPublicKey(secretKey);
      const existing = this.accounts.find((a) => a.pubkey === pubkey);
      if (existing) return publicView(existing);
      const row = {
        pubkey,
        label: label?.trim() || `Account ${this.accounts.length + 1}`,
        ncryptsec: ncryptsec ?? encryptSecret(secretKey, password, this.logN),
        createdAt: this.opts.now(),
      };
      const id = await addAccount(this.opts.db, row);
      this.accounts.push({ ...row, id });
      await this.select(id);
      // A new or imported key is usable at once, like the vault it joins. Unlocking decrypts its
      // own copy of every key, this one included.
      if (this.locked) await this.unlockWith(password);
      else {
        kept = true;
        await this.remember(id, secretKey);
      }
      return publicView({ ...row, id });
    } finally {
      if (!kept) secretKey.fill(0);
    }
  }

  /** Every account shares the vault password: a second account must be added under the same one. */
  private async verifyVaultPassword(password: string): Promise<void> {
    const first = this.accounts[0];
    if (first) (await this.passwords.checked(() => decryptNcryptsec(first.ncryptsec, password))).fill(0);
  }

  async select(accountId: number): Promise<void> {
    if (!this.has(accountId)) throw fail('not_found', `no account #${accountId}`);
    await setSetting(this.opts.db, 'activeAccountId', accountId);
    this.activeId = accountId;
  }

  /** A new label for an account (the label is public data, like the pubkey). */
  async rename(accountId: number, label: string): Promise<PublicAccount> {
    const account = this.accounts.find((a) => a.id === accountId);
    if (!account) throw fail('not_found', `no account #${accountId}`);
    const clean = label.trim() || account.label;
    await this.opts.db.accounts.update(accountId, { label: clean });
    account.label = clean;
    return publicView(account);
  }

  /**
   * Deletes an account: its unlocked key is zeroed and dropped from memory and storage.session,
   * its ncryptsec row removed. Another account becomes active (or none).
   */
  async remove(accountId: number): Promise<void> {
    if (!this.has(accountId)) throw fail('not_found', `no account #${accountId}`);
    this.unlocked.get(accountId)?.fill(0);
    this.unlocked.delete(accountId);
    await this.persist();
    await this.opts.db.accounts.delete(accountId);
    this.accounts = this.accounts.filter((a) => a.id !== accountId);
    if (this.activeId === accountId) {
      this.activeId = this.accounts[0]?.id ?? null;
      await setSetting(this.opts.db, 'activeAccountId', this.activeId);
    }
    // The last key gone: nothing is unlocked any more.
    if (!this.accounts.length) await this.lock();
  }

  async export(accountId: number, password: string): Promise<string> {
    const account = this.accounts.find((a) => a.id === accountId);
    if (!account) throw fail('not_found', `no account #${accountId}`);
    (await this.passwords.checked(() => decryptNcryptsec(account.ncryptsec, password))).fill(0);
    return account.ncryptsec;
  }

  async unlock(password: string): Promise<void> {
    if (!this.accounts.length) throw fail('no_account', 'No Nostr account in the signer yet');
    await this.unlockWith(password);
  }

  private async unlockWith(password: string): Promise<void> {
    const keys = await this.passwords.checked(() => {
      const done: [number, Uint8Array][] = [];
      try {
        for (const a of this.accounts) done.push([a.id, decryptNcryptsec(a.ncryptsec, password)]);
        return done;
      } catch (err) {
        for (const [, key] of done) key.fill(0);
        throw err;
      }
    });
    for (const [id, key] of keys) this.hold(id, key);
    await this.persist();
  }

  private async remember(id: number, key: Uint8Array): Promise<void> {
    this.hold(id, key);
    await this.persist();
  }

  /** Holds `key` as account `id`'s unlocked key; one it replaces is zeroed. */
  private hold(id: number, key: Uint8Array): void {
    const old = this.unlocked.get(id);
    if (old && old !== key) old.fill(0);
    this.unlocked.set(id, key);
  }

  async lock(): Promise<void> {
    for (const key of this.unlocked.values()) key.fill(0);
    this.unlocked.clear();
    await this.persist();
  }

  private persist(): Promise<void> {
    return this.sessionCopy.write();
  }
}
