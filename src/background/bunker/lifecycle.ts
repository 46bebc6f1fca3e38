// When the bunker runs: while the vault is unlocked and the person turned it on. Every lock,
// unlock or key removal is written to storage.session under `vault.*` (src/vault/sessionCopy.ts),
// so watching those writes follows the vault across restarts too: a restarted worker restores
// the vault and then resumes the bunker (docs/ARCHITECTURE.md, Remote signing).
import type { SessionStore } from '../../vault/sessionStore.ts';
import type { BackgroundContext } from '../context.ts';

/** Pauses the bunker when the vault locks and resumes it (if on) when it unlocks. */
export function syncBunker(ctx: BackgroundContext): Promise<void> {
  return ctx.ready
    .then(() => (ctx.vault.locked ? ctx.bunker.pause() : ctx.bunker.resume()))
    .catch(() => undefined);
}

/** The session store, with every `vault.*` write followed by `onVault` (after it is stored). */
export function followVault(store: SessionStore, onVault: () => void): SessionStore {
  const after = (key: string) => {
    if (key.startsWith('vault.')) onVault();
  };
  return {
    get: (key) => store.get(key),
    set: async (key, value) => {
      await store.set(key, value);
      after(key);
    },
    remove: async (key) => {
      await store.remove(key);
      after(key);
    },
  };
}

/** While the bunker runs, a call every `everyMs`: Firefox's event page counts extension API calls as activity. */
export function keepAwake(ctx: BackgroundContext, ping: () => Promise<unknown>, everyMs = 20_000): () => void {
  const timer = setInterval(() => {
    if (ctx.bunker.running) void ping().catch(() => undefined);
  }, everyMs);
  return () => clearInterval(timer);
}
