// Locks the vault after the configured idle time. The time of last use is kept in storage.session
// (written at most every few seconds, off the hot path). The wake-up is one alarm at the deadline,
// not a periodic one: an idle browser (Firefox's event page above all) is not woken every few
// seconds for nothing. The alarm survives worker stops; when it fires early because the vault was
// used meanwhile, it is set again for the new deadline.
import { getSetting } from '../db/settings.ts';
import type { BackgroundContext } from './context.ts';

const LAST_USE_KEY = 'autolock.lastUse';
const PERSIST_EVERY_MS = 10_000;
export const AUTOLOCK_ALARM = 'warden-autolock';

/** Sets the one wake-up at `when` (epoch ms), or clears it (null). */
export type Schedule = (when: number | null) => void;

export interface AutoLock {
  /** A person used the extension: the idle time starts again. */
  touch(): void;
  /** The wake-up: locks if the idle time is over, else sets the wake-up for the new deadline. */
  check(): Promise<boolean>;
  /** Sets (or clears) the wake-up to match the lock state and the setting. */
  arm(): Promise<void>;
}

export function createAutoLock(ctx: BackgroundContext, schedule: Schedule = () => {}): AutoLock {
  let lastUse = ctx.now();
  let persisted = 0;
  // What this worker last asked for; unknown after a restart, so the first arm() always schedules.
  let scheduled: number | null | undefined;
  const restored = ctx.ready.then(async () => {
    lastUse = (await ctx.session.get<number>(LAST_USE_KEY)) ?? lastUse;
  });

  const deadline = async (): Promise<number | null> => {
    const minutes = await getSetting(ctx.db, 'autoLockMinutes');
    return minutes > 0 && !ctx.vault.locked ? lastUse + minutes * 60_000 : null;
  };

  const arm = async () => {
    await restored;
    const when = await deadline();
    // A wake-up set to fire before the deadline is left alone: when it fires, it finds the vault
    // used meanwhile and sets the next one. So use does not re-create the alarm each time.
    const keep = when !== null && typeof scheduled === 'number' && scheduled <= when;
    if (keep || when === scheduled) return;
    scheduled = when;
    schedule(when);
  };

  return {
    touch() {
      lastUse = ctx.now();
      if (lastUse - persisted >= PERSIST_EVERY_MS) {
        persisted = lastUse;
        void ctx.session.set(LAST_USE_KEY, lastUse);
      }
      void arm().catch(() => undefined);
    },
    async check() {
      await restored;
      const minutes = await getSetting(ctx.db, 'autoLockMinutes');
      const due = minutes > 0 && !ctx.vault.locked && ctx.now() - lastUse >= minutes * 60_000;
      if (due) await ctx.vault.lock();
      // The wake-up that called this is spent: set the next one (or none, once locked).
      scheduled = undefined;
      await arm();
      return due;
    },
    arm,
  };
}
