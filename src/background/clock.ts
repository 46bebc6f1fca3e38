// The background's time: never earlier than a time it has already seen, so winding the system
// clock back revives no expired grant, rule or override and frees no cap window early
// (docs/ARCHITECTURE.md, Data model, Time; docs/THREATS.md #39). Every part of the background
// reads the time from here: the guard, decide, "Try a request", retention, the admin handlers,
// the logs.
import Dexie from 'dexie';
import { z } from 'zod';
import type { WardenDb } from '../db/schema.ts';

export interface TimeSources {
  /** The system clock (Date.now): may jump either way. */
  wall: () => number;
  /**
   * A steady clock in ms (performance.now): unaffected by system clock changes, restarts at each
   * worker start. While the wall clock is behind, time still moves at its pace.
   */
  steady: () => number;
}

/** Where the latest time is kept between worker starts: a settings row no page shows. */
export const CLOCK_KEY: [string, string] = ['clock', 'latestSeen'];
const KEY = CLOCK_KEY;
/** `at`: the latest time; `wall`: the system clock when it was written (absent in a row of an older shape). */
const stored = z.object({ at: z.number().finite(), wall: z.number().finite().optional() });
/**
 * A wall clock at most this far behind the carried time still moves the anchor: the two clocks
 * run at slightly different rates, and the carried time must not drift ahead of a correct wall
 * clock. A smaller step back is absorbed by time standing still for that long.
 */
const SLACK_MS = 2_000;
/** The latest time is written when it is this much past the saved one: at most one write per 10 s. */
export const SAVE_EVERY_MS = 10_000;

export class MonotonicClock {
  /** The latest time handed out. */
  private latest = -Infinity;
  /** A point of the steady clock and the time it stood for: while the wall is behind, time runs on from here. */
  private anchorAt = -Infinity;
  private anchorSteady = 0;
  /** The latest time written to the database, and how far ahead of the system clock it was then. */
  private saved = -Infinity;
  private savedAhead = 0;
  /** The system clock at the last read. */
  private lastWall = -Infinity;
  /** Where restore() read from: from then on, now() saves the latest time there now and then. */
  private db: WardenDb | null = null;
  private saving = false;

  constructor(private readonly sources: TimeSources) {}

  now(): number {
    const t = this.read();
    // Saved when it moved on 10 s, or at once when the system clock stepped back (or forward) by
    // more than the slack: a worker stop right after a step back must not lose it.
    const stepped = Math.abs(t - this.lastWall - this.savedAhead) > SLACK_MS;
    if (this.db && !this.saving && (t - this.saved >= SAVE_EVERY_MS || stepped)) this.saveSoon(this.db);
    return t;
  }

  private read(): number {
    const wall = this.sources.wall();
    this.lastWall = wall;
    const steady = this.sources.steady();
    // Whole milliseconds, as Date.now() gives: every stored time is an integer (the schemas say so).
    const carried = Math.floor(this.anchorAt + (steady - this.anchorSteady));
    const t = Math.max(wall, carried, this.latest);
    // The anchor follows the wall clock unless it went back (by more than the slack). Never the
    // larger of the two steps each read: their jitter would add up and make time run fast.
    if (wall >= carried - SLACK_MS) {
      this.anchorAt = wall;
      this.anchorSteady = steady;
    }
    this.latest = t;
    return t;
  }

  /**
   * Off the caller's path: a timer, outside any transaction the caller is in (the guard's), and at
   * most once per SAVE_EVERY_MS of time seen or per clock step — never a write per request.
   */
  private saveSoon(db: WardenDb): void {
    this.saving = true;
    setTimeout(() => {
      void Dexie.ignoreTransaction(() => this.save(db))
        .catch(() => undefined) // a closed database (a test over, the browser closing): the next start reads the logs
        .finally(() => (this.saving = false));
    }, 0);
  }

  /** Never hand out a time before `t` (a time read back from the database). */
  advanceTo(t: number): void {
    if (!(t > this.latest)) return;
    this.latest = t;
    this.anchorAt = t;
    this.anchorSteady = this.sources.steady();
  }

  /**
   * At a worker start: the latest time any earlier start saw — the saved value carried on by the
   * system clock's progress since it was saved, or a newer signing-log or activity row (each one
   * index seek). Saves it at once; from then on the clock saves itself to `db` now and then.
   */
  async restore(db: WardenDb): Promise<void> {
    const [row, log, activity] = await Promise.all([
      db.settings.get(KEY),
      db.signingLog.orderBy('createdAt').last(),
      db.activity.orderBy('createdAt').last(),
    ]);
    const parsed = stored.safeParse(row?.value);
    const savedAt = parsed.success ? parsed.data.at : -Infinity;
    // While no worker ran, the system clock — wrong by the step it went back, but still running —
    // says how much time passed since the save: carried on by that much (never by less than 0).
    const wallThen = parsed.success ? parsed.data.wall : undefined;
    const passed = wallThen === undefined ? 0 : Math.max(0, this.sources.wall() - wallThen);
    this.saved = Math.max(this.saved, savedAt);
    if (wallThen !== undefined) this.savedAhead = savedAt - wallThen;
    this.advanceTo(Math.max(savedAt + passed, log?.createdAt ?? -Infinity, activity?.createdAt ?? -Infinity));
    // Written now, during the start, rather than behind the first request that reads the time.
    await this.save(db);
    this.db = db;
  }

  /**
   * The system-clock time at which the background's time will be `t`: for a browser alarm (set
   * in system-clock time) that must fire when the background's time reaches `t`, not later by
   * however far the clock was set back.
   */
  toWall(t: number): number {
    return t - (this.now() - this.sources.wall());
  }

  /** Writes the latest time, if it moved since the last write. */
  async save(db: WardenDb): Promise<void> {
    const at = this.read();
    const wall = this.lastWall;
    if (at <= this.saved && at - wall === this.savedAhead) return;
    await db.settings.put({ collection: KEY[0], key: KEY[1], value: { at, wall } });
    this.saved = at;
    this.savedAhead = at - wall;
  }
}

/** The browser's clocks. performance.now() is steady in a service worker and an event page. */
export const BROWSER_TIME: TimeSources = { wall: () => Date.now(), steady: () => performance.now() };
