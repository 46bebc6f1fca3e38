// The copy of the unlocked keys that lets a restarted worker sign without the password
// (docs/ARCHITECTURE.md "Keys", docs/THREATS.md #18 and #26). storage.session holds it sealed with
// AES-GCM under a random non-extractable key (wrapKeyStore.ts): what anything reading
// storage.session sees — a devtools view, a storage dump, a content script if access were ever
// widened — is ciphertext, never the hex of a key. Each account's key is sealed on its own, bound
// to its account id (the additional data), so a sealed blob cannot be replayed under another id.
import { base64 } from '@scure/base';
import type { WrapKeyStore } from './wrapKeyStore.ts';

/** storage.session's shape: account id → one AES-GCM box (base64, since the store takes JSON). */
export type SealedKeys = Record<string, { iv: string; box: string }>;

const AES = { name: 'AES-GCM', length: 256 } as const;
const IV_BYTES = 12;
const aad = (accountId: string) => new TextEncoder().encode(`warden/session-key/${accountId}`);

export class SessionSeal {
  private key: Promise<CryptoKey> | undefined;

  constructor(private readonly store: WrapKeyStore) {}

  /** Seals every key of `keys`; makes (and keeps) the wrapping key on first use. */
  async seal(keys: ReadonlyMap<number, Uint8Array>): Promise<SealedKeys> {
    const wrap = await this.wrappingKey();
    const out: SealedKeys = {};
    for (const [id, secret] of keys) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      // WebCrypto copies `secret` when called: the memory copy stays the caller's to zero.
      const box = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(String(id)) }, wrap, secret as Uint8Array<ArrayBuffer>);
      out[id] = { iv: base64.encode(iv), box: base64.encode(new Uint8Array(box)) };
    }
    return out;
  }

  /**
   * Opens what seal() made, with the kept wrapping key. Anything that does not open (no key any
   * more, a damaged or foreign entry, an old format) is left out: that account is locked.
   */
  async open(saved: unknown): Promise<Map<number, Uint8Array>> {
    const opened = new Map<number, Uint8Array>();
    if (!saved || typeof saved !== 'object') return opened;
    const wrap = await this.store.load().catch(() => undefined);
    if (!wrap) return opened;
    this.key = Promise.resolve(wrap);
    for (const [id, entry] of Object.entries(saved as Record<string, unknown>)) {
      if (!/^\d+$/.test(id) || !isBox(entry)) continue;
      try {
        const iv = base64.decode(entry.iv) as Uint8Array<ArrayBuffer>;
        const box = base64.decode(entry.box) as Uint8Array<ArrayBuffer>;
        const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad(id) }, wrap, box);
        opened.set(Number(id), new Uint8Array(plain));
      } catch {
        /* does not open: this account stays locked */
      }
    }
    return opened;
  }

  /** Drops the wrapping key (at lock): whatever it sealed can never be opened again. */
  async forget(): Promise<void> {
    this.key = undefined;
    await this.store.clear();
  }

  private wrappingKey(): Promise<CryptoKey> {
    this.key ??= (async () => {
      const existing = await this.store.load();
      if (existing) return existing;
      const fresh = await crypto.subtle.generateKey(AES, false, ['encrypt', 'decrypt']);
      await this.store.save(fresh);
      return fresh;
    })().catch((err: unknown) => {
      this.key = undefined;
      throw err;
    });
    return this.key;
  }
}

function isBox(v: unknown): v is { iv: string; box: string } {
  return !!v && typeof v === 'object' && typeof (v as { iv?: unknown }).iv === 'string' && typeof (v as { box?: unknown }).box === 'string';
}
