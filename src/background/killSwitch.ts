// The kill switch: one stop for every web-page request (docs/ARCHITECTURE.md, Decision order,
// step 0). The state is kept in memory so the router's check costs nothing and touches no storage,
// and in the settings table so it outlasts a worker stop and a browser restart; it is read back
// during setup, before the first request is served (the router waits for setup).
import { fail, type WardenError } from '../shared/errors.ts';
import { getSetting, setSetting } from '../db/settings.ts';
import type { WardenDb } from '../db/schema.ts';

/** What a refused page reads: plain words, no ids (docs/THREATS.md #35). */
export const STOPPED_TEXT = 'Denied: all signing is stopped in Warden';
/** What the activity log says about each refusal. */
export const STOPPED_REASON = 'kill switch on: all signing stopped';

export class KillSwitch {
  private state = false;
  /** Writes run one after another, so the stored value ends as the last one asked for. */
  private writes: Promise<unknown> = Promise.resolve();
  /** Counts calls of set(): an "off" that a later "on" overtook must not show itself. */
  private asked = 0;
  private readonly listeners = new Set<(on: boolean) => void>();

  constructor(private readonly db: WardenDb) {}

  get on(): boolean {
    return this.state;
  }

  /** Reads the stored state; part of setup. */
  async load(): Promise<void> {
    this.show(await getSetting(this.db, 'killSwitch'));
  }

  /**
   * Turning on takes effect in memory at once, before the write (a failed write still stops
   * everything until the worker stops). Turning off takes effect only once it is stored, so a
   * failed write leaves the switch on: either way a failure errs towards stopped.
   */
  async set(on: boolean): Promise<void> {
    const ask = ++this.asked;
    if (on) this.show(true);
    const write = this.writes.then(() => setSetting(this.db, 'killSwitch', on));
    this.writes = write.catch(() => undefined);
    await write;
    if (!on && ask === this.asked) this.show(false);
  }

  refusal(): WardenError {
    return fail('denied', STOPPED_TEXT);
  }

  /** Hears the state now and on every change (the badge). */
  subscribe(listener: (on: boolean) => void): void {
    this.listeners.add(listener);
    listener(this.state);
  }

  private show(on: boolean): void {
    if (on === this.state) return;
    this.state = on;
    for (const l of this.listeners) l(on);
  }
}
