// Every check of the vault password goes through one place (docs/THREATS.md #33): refused while a
// back-off runs, counted when wrong, the count cleared when right, and the state kept in the
// database so that no restart resets it (the rule itself: passwordBackoff.ts).
import { WardenError } from '../shared/errors.ts';
import type { WardenDb } from '../db/schema.ts';
import { getSetting, setSetting } from '../db/settings.ts';
import { afterFailure, assertMayTry, NO_BACKOFF, type BackoffState } from './passwordBackoff.ts';

export class PasswordChecks {
  private state: BackoffState = NO_BACKOFF;

  constructor(
    private readonly db: WardenDb,
    private readonly now: () => number,
  ) {}

  /** Called once at worker start. */
  async load(): Promise<void> {
    this.state = await getSetting(this.db, 'passwordBackoff');
  }

  /** Runs `check` (which throws `denied` for a wrong password) under the back-off. */
  async checked<T>(check: () => T): Promise<T> {
    assertMayTry(this.state, this.now());
    try {
      const result = check();
      if (this.state.failures) await this.save(NO_BACKOFF);
      return result;
    } catch (err) {
      if (err instanceof WardenError && err.code === 'denied') await this.save(afterFailure(this.state, this.now()));
      throw err;
    }
  }

  private async save(state: BackoffState): Promise<void> {
    this.state = state;
    await setSetting(this.db, 'passwordBackoff', state);
  }
}
