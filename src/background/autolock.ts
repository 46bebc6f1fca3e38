// Locks the vault after the configured idle time. The alarm survives worker stops; the time of
// last use is kept in storage.session (written at most every few seconds, off the hot path).
import { getSetting } from '../db/settings.ts';
import type { BackgroundContext } from './context.ts';

const LAST_USE_KEY = 'autolock.lastUse';
const PERSIST_EVERY_MS = 10_000;
export const AUTOLOCK_ALARM = 'warden-autolock';

export interface AutoLock {
  touch(): void;
  check(): Promise<boolean>;
}

export function createAutoLock(ctx: BackgroundContext): AutoLock {
  let lastUse = ctx.now();
  let persisted = 0;
  const restored = ctx.ready.then(async () => {
    lastUse = (await ctx.session.get<number>(LAST_USE_KEY)) ?? lastUse;
  });
  return {
    touch() {
      lastUse = ctx.now();
      if (lastUse - persisted >= PERSIST_EVERY_MS) {
        persisted = lastUse;
        void ctx.session.set(LAST_USE_KEY, lastUse);
      }
    },
    async check() {
      await restored;
      const minutes = await getSetting(ctx.db, 'autoLockMinutes');
      if (minutes <= 0 || ctx.vault.locked || ctx.now() - lastUse < minutes * 60_000) return false;
      await ctx.vault.lock();
      return true;
    },
  };
}
