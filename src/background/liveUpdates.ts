// Live updates for the extension's own pages (popup, options, prompt): instead of asking the admin
// RPC every second, a page holds a runtime.connect port named LIVE_PORT and the background tells
// it what changed after each write: `{ type: 'changed', topics: ['log', 'activity'] }`. The page
// then re-fetches only what it shows.
//
// Where changes come from, so that no handler has to remember to report them:
// - every committed IndexedDB write: Dexie fires `storagemutated` after a read-write transaction
//   completes, naming the tables it touched (mapped to topics by TABLE_TOPICS) and the keys
//   (rows of QUIET_ROWS alone are no change). Listened to only while a page is connected: with no
//   page there is nothing at all on the signing path.
// - the vault's lock state, which lives in memory: every lock, unlock or key removal is persisted
//   to storage.session under `vault.*`, so watchSession() sees each one.
// - the prompt queue: changed('prompts') from its onChange (index.ts).
//
// Coalescing: the first change after a quiet spell goes out LEAD_MS later (so one request's
// commit and its queue change make one notice); after a notice, further changes wait until
// WINDOW_MS have passed and go out together. A burst of 50 signatures thus sends a handful of
// notices. Nothing is awaited: the Dexie listener only adds to a set and arms a timer.
//
// Restarts: an idle port is no event for the browser (Firefox's event page stops with pages
// connected; Chromium's worker lives on events and messages to it, not on open ports), so an open
// page does not keep the background alive. When the background stops, the page's port disconnects;
// the page does NOT reconnect at once (connecting would start the background again, forever). It
// reconnects when it is shown or focused or on the user's next key or pointer press, or when the
// background, started for another reason (a site's request), announces its start once with a
// LIVE_STARTED runtime message. Each new port first gets a notice naming every topic, sent after
// the port is registered: whatever changed while the page was detached, or between its first
// fetch and its connection, is then fetched again, and every later write is notified.
//
// This module touches no browser API itself (index.ts passes the ports in and makes the
// broadcast), so the unit tests run it as is.
import Dexie, { cmp, type IndexableType, type IntervalTree, type ObservabilitySet } from 'dexie';
import type { WardenDb } from '../db/schema.ts';
import type { SessionStore } from '../vault/sessionStore.ts';
import { isExtensionPage, type SenderInfo } from './sender.ts';
import { CLOCK_KEY } from './clock.ts';
import { LIVE_PORT, LIVE_TOPICS, type LiveNotice, type LiveTopic } from '../shared/liveTopics.ts';

export { LIVE_PORT, LIVE_STARTED, LIVE_TOPICS, type LiveNotice, type LiveTopic } from '../shared/liveTopics.ts';

/** Which topics a write to each table touches. The account in use is a setting, hence 'vault' too. */
export const TABLE_TOPICS: Readonly<Record<string, readonly LiveTopic[]>> = {
  grants: ['policy'],
  rules: ['policy'],
  overrides: ['policy'],
  // An allowed request's activity row is its signing-log entry (src/db/activity.ts).
  signingLog: ['log', 'activity'],
  activity: ['activity'],
  settings: ['settings', 'vault'],
  accounts: ['vault'],
};

/**
 * Rows that no page shows and that are written on their own: the clock's latest time, saved at a
 * start and every 10 s of use. A write of only these is no change for any page. Reporting it made
 * an open popup fetch at a worker's start, and its one-fetch-a-second pace then held back the
 * meter of the signature that started the worker by up to a second.
 */
export const QUIET_ROWS: Readonly<Record<string, readonly IndexableType[]>> = { settings: [CLOCK_KEY] };

/** Whether every key range in `tree` is exactly one of `keys` (an empty tree holds none). */
function onlyKeys(tree: IntervalTree | undefined, keys: readonly IndexableType[]): boolean {
  if (!tree || !('from' in tree)) return true;
  const exact = keys.some((k) => cmp(tree.from, k) === 0 && cmp(tree.to, k) === 0);
  return exact && onlyKeys(tree.l ?? undefined, keys) && onlyKeys(tree.r ?? undefined, keys);
}

/** The runtime.Port fields used here. */
export interface LivePort {
  name: string;
  sender?: SenderInfo | undefined;
  postMessage(message: unknown): void;
  disconnect(): void;
  onDisconnect: { addListener(listener: () => void): void };
}

export const LEAD_MS = 15;
export const WINDOW_MS = 100;

export interface LiveOptions {
  extensionOrigin: string;
  now?: () => number;
}

export class LiveUpdates {
  private readonly ports = new Set<LivePort>();
  private readonly pending = new Set<LiveTopic>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastSent = -Infinity;
  private readonly dbPrefixes = new Set<string>();
  private listening = false;
  private readonly now: () => number;
  /** Notices sent, for tests and diagnostics. */
  sent = 0;

  constructor(private readonly opts: LiveOptions) {
    this.now = opts.now ?? Date.now;
  }

  get connected(): number {
    return this.ports.size;
  }

  /**
   * A runtime.onConnect listener. Returns false for ports of other names (left to their own
   * listeners); a live port from anything but the extension's own pages is disconnected at once.
   */
  accept(port: LivePort): boolean {
    if (port.name !== LIVE_PORT) return false;
    if (!isExtensionPage(port.sender ?? {}, this.opts.extensionOrigin)) {
      port.disconnect();
      return true;
    }
    this.ports.add(port);
    port.onDisconnect.addListener(() => this.drop(port));
    this.listen();
    this.post(port, { type: 'changed', topics: [...LIVE_TOPICS], connected: true });
    return true;
  }

  /** Notes that `topics` changed; sent, coalesced, to the connected pages (with none, nothing happens). */
  changed(...topics: LiveTopic[]): void {
    if (!this.ports.size) return;
    for (const t of topics) this.pending.add(t);
    if (this.timer !== undefined || !this.pending.size) return;
    const wait = Math.max(LEAD_MS, this.lastSent + WINDOW_MS - this.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Reports every committed write to `db`'s tables (only while a page is connected). */
  watchDb(db: WardenDb): void {
    this.dbPrefixes.add(`idb://${db.name}/`);
    if (this.ports.size) this.listen();
  }

  /** Wraps the session store so that each write of the vault's state (`vault.*`) reports 'vault'. */
  watchSession(store: SessionStore): SessionStore {
    const touched = (key: string) => {
      if (key.startsWith('vault.')) this.changed('vault');
    };
    return {
      get: (key) => store.get(key),
      set: async (key, value) => {
        await store.set(key, value);
        touched(key);
      },
      remove: async (key) => {
        await store.remove(key);
        touched(key);
      },
    };
  }

  private readonly onMutated = (parts: ObservabilitySet): void => {
    if (!this.ports.size) return;
    for (const part of Object.keys(parts)) {
      for (const prefix of this.dbPrefixes) {
        if (!part.startsWith(prefix)) continue;
        const end = part.indexOf('/', prefix.length);
        const table = part.slice(prefix.length, end < 0 ? undefined : end);
        const topics = TABLE_TOPICS[table];
        const quiet = QUIET_ROWS[table];
        if (quiet && onlyKeys(parts[part], quiet)) continue;
        if (topics) this.changed(...topics);
      }
    }
  };

  private listen(): void {
    if (this.listening || !this.ports.size || !this.dbPrefixes.size) return;
    this.listening = true;
    Dexie.on.storagemutated.subscribe(this.onMutated);
  }

  private drop(port: LivePort): void {
    this.ports.delete(port);
    if (this.ports.size) return;
    if (this.listening) Dexie.on.storagemutated.unsubscribe(this.onMutated);
    this.listening = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private flush(): void {
    this.timer = undefined;
    if (!this.pending.size) return;
    const notice: LiveNotice = { type: 'changed', topics: LIVE_TOPICS.filter((t) => this.pending.has(t)) };
    this.pending.clear();
    this.lastSent = this.now();
    for (const port of this.ports) this.post(port, notice);
  }

  private post(port: LivePort, notice: LiveNotice): void {
    try {
      port.postMessage(notice);
      this.sent += 1;
    } catch {
      // The page went away between its disconnect and our send.
      this.drop(port);
    }
  }
}
