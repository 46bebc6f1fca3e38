// Where the key that seals the session copy of the unlocked keys lives (docs/ARCHITECTURE.md,
// "Keys"). It is a non-extractable AES-GCM CryptoKey: IndexedDB keeps it by structured clone, so a
// restarted worker (or Firefox event page) can use it again, while no script, ours included, can
// read its bytes (exportKey refuses a non-extractable key). It outlives the browser session on
// disk, but alone it opens nothing: what it sealed lived in storage.session, which the browser
// empties when it closes, and the next unlock replaces it.

export interface WrapKeyStore {
  load(): Promise<CryptoKey | undefined>;
  save(key: CryptoKey): Promise<void>;
  clear(): Promise<void>;
}

const STORE = 'keys';
const ID = 'session';

/** A database of its own (not the Dexie one): one object store, one row. */
export class IdbWrapKeyStore implements WrapKeyStore {
  private opened: Promise<IDBDatabase> | undefined;

  constructor(private readonly name: string) {}

  async load(): Promise<CryptoKey | undefined> {
    const value = await this.run<unknown>('readonly', (s) => s.get(ID));
    // Anything but a CryptoKey (a damaged or foreign row) is no key.
    return typeof CryptoKey !== 'undefined' && value instanceof CryptoKey ? value : undefined;
  }

  async save(key: CryptoKey): Promise<void> {
    await this.run('readwrite', (s) => s.put(key, ID));
  }

  async clear(): Promise<void> {
    await this.run('readwrite', (s) => s.delete(ID));
  }

  private db(): Promise<IDBDatabase> {
    this.opened ??= new Promise<IDBDatabase>((ok, fail) => {
      const req = indexedDB.open(this.name, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => ok(req.result);
      req.onerror = () => fail(req.error);
    }).catch((err: unknown) => {
      this.opened = undefined; // a later call may try again
      throw err;
    });
    return this.opened;
  }

  private async run<T>(mode: IDBTransactionMode, op: (store: IDBObjectStore) => IDBRequest): Promise<T> {
    const db = await this.db();
    return new Promise<T>((ok, fail) => {
      const tx = db.transaction(STORE, mode);
      const req = op(tx.objectStore(STORE));
      tx.oncomplete = () => ok(req.result as T);
      tx.onerror = () => fail(tx.error);
      tx.onabort = () => fail(tx.error);
    });
  }
}

/** For unit tests and callers that want no persistence: a key kept in this object only. */
export class MemoryWrapKeyStore implements WrapKeyStore {
  key: CryptoKey | undefined;
  async load(): Promise<CryptoKey | undefined> {
    return this.key;
  }
  async save(key: CryptoKey): Promise<void> {
    this.key = key;
  }
  async clear(): Promise<void> {
    this.key = undefined;
  }
}
