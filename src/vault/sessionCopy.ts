// The vault's copy of its unlocked keys in storage.session (docs/ARCHITECTURE.md "Keys and the
// vault"): read once at worker start, written after every change, always sealed (sessionSeal.ts).
import type { SessionStore } from './sessionStore.ts';
import { SessionSeal } from './sessionSeal.ts';
import type { WrapKeyStore } from './wrapKeyStore.ts';

const UNLOCKED_KEY = 'vault.unlocked';

export class SessionCopy {
  private readonly seal: SessionSeal;
  /** Writes, one after another: each writes the state current when it runs, so the last wins. */
  private writes: Promise<void> = Promise.resolve();

  /** `current` gives the keys held now (the vault's own map, read when a write runs). */
  constructor(
    private readonly session: SessionStore,
    wrapKeys: WrapKeyStore,
    private readonly current: () => ReadonlyMap<number, Uint8Array>,
  ) {
    this.seal = new SessionSeal(wrapKeys);
  }

  /** The keys a previous worker of this browser session left; empty if none open. */
  async read(): Promise<Map<number, Uint8Array>> {
    const saved = await this.session.get<unknown>(UNLOCKED_KEY);
    return saved === undefined ? new Map() : this.seal.open(saved);
  }

  /**
   * Brings storage.session in line with memory: the unlocked keys sealed, or (none held) no copy
   * and no wrapping key, so the next unlock seals under a new one. Keys that cannot be sealed (no
   * IndexedDB for the wrapping key) are not written at all: the unlock then holds in memory only,
   * and a worker restart locks — never a plain copy.
   */
  write(): Promise<void> {
    const run = this.writes.then(() => this.writeNow());
    this.writes = run.catch(() => undefined);
    return run;
  }

  private async writeNow(): Promise<void> {
    const keys = this.current();
    if (!keys.size) {
      await this.session.remove(UNLOCKED_KEY);
      await this.seal.forget().catch(() => undefined);
      return;
    }
    const sealed = await this.seal.seal(keys).catch(() => undefined);
    if (sealed) await this.session.set(UNLOCKED_KEY, sealed);
    else await this.session.remove(UNLOCKED_KEY);
  }
}
