import { afterEach, describe, expect, it, vi } from 'vitest';
import { createContext, type BackgroundContext } from './context.ts';
import { createRouter, type Router } from './router.ts';
import { BROWSER_TIME, CLOCK_KEY, MonotonicClock } from './clock.ts';
import { LEAD_MS, LIVE_PORT, LIVE_TOPICS, LiveUpdates, WINDOW_MS, type LiveNotice, type LivePort, type LiveTopic } from './liveUpdates.ts';
import type { SenderInfo } from './sender.ts';
import { WardenDb } from '../db/schema.ts';
import { MemorySessionStore } from '../vault/sessionStore.ts';
import { fail, type WireResponse } from '../shared/errors.ts';
import { uniqueDbName, waitFor } from '../test/fixtures.ts';

vi.setConfig({ testTimeout: 20_000 });

const EXT = 'chrome-extension://abc';
const POPUP = `${EXT}/src/ui/popup/index.html?origin=https%3A%2F%2Fsite.example`;
const SITE = 'https://site.example';
const PW = 'live updates test password';

class FakePort implements LivePort {
  readonly received: LiveNotice[] = [];
  disconnectedByBackground = false;
  gone = false;
  private readonly listeners: (() => void)[] = [];
  readonly onDisconnect = { addListener: (l: () => void) => void this.listeners.push(l) };
  constructor(
    readonly name: string,
    readonly sender: SenderInfo | undefined,
  ) {}
  postMessage(message: unknown): void {
    if (this.gone || this.disconnectedByBackground) throw new Error('Attempting to use a disconnected port object');
    this.received.push(structuredClone(message) as LiveNotice);
  }
  disconnect(): void {
    this.disconnectedByBackground = true;
  }
  /** The page closes (or its port goes away): the background's side hears onDisconnect. */
  close(): void {
    this.gone = true;
    for (const l of this.listeners) l();
  }
  /** The topics of every notice after the first (the connection's own), in order. */
  changes(): LiveTopic[][] {
    return this.received.slice(1).map((n) => n.topics);
  }
}

const pagePort = (url = POPUP) => new FakePort(LIVE_PORT, { id: 'abc', url });

afterEach(() => {
  vi.useRealTimers();
});

describe('ports', () => {
  it("accepts the extension's own pages and tells a new port that everything may have changed", () => {
    const live = new LiveUpdates({ extensionOrigin: EXT });
    const port = pagePort();
    expect(live.accept(port)).toBe(true);
    expect(port.disconnectedByBackground).toBe(false);
    expect(live.connected).toBe(1);
    expect(port.received).toEqual([{ type: 'changed', topics: [...LIVE_TOPICS], connected: true }]);
  });

  it('refuses ports from content scripts, other extensions and senders without a URL', () => {
    const live = new LiveUpdates({ extensionOrigin: EXT });
    const refused = [
      new FakePort(LIVE_PORT, { id: 'abc', url: `${SITE}/app`, origin: SITE, tab: { id: 3, url: `${SITE}/app` }, frameId: 0 }),
      new FakePort(LIVE_PORT, { id: 'other', url: 'chrome-extension://abcdef/src/ui/popup/index.html' }),
      new FakePort(LIVE_PORT, { id: 'abc', url: `${EXT}` }), // not a page of the origin: no path
      new FakePort(LIVE_PORT, { id: 'abc' }),
      new FakePort(LIVE_PORT, undefined),
    ];
    for (const port of refused) {
      expect(live.accept(port)).toBe(true);
      expect(port.disconnectedByBackground).toBe(true);
      expect(port.received).toEqual([]);
    }
    expect(live.connected).toBe(0);
  });

  it('leaves ports of other names to their own listeners', () => {
    const live = new LiveUpdates({ extensionOrigin: EXT });
    const port = new FakePort('warden:keepalive', { id: 'abc', url: `${SITE}/app` });
    expect(live.accept(port)).toBe(false);
    expect(port.disconnectedByBackground).toBe(false);
    expect(live.connected).toBe(0);
  });
});

describe('coalescing', () => {
  it('with no page connected, a change costs nothing: no timer, no notice', () => {
    vi.useFakeTimers();
    const live = new LiveUpdates({ extensionOrigin: EXT });
    for (let i = 0; i < 50; i++) live.changed('log', 'activity');
    expect(vi.getTimerCount()).toBe(0);
    expect(live.sent).toBe(0);
  });

  it('sends the first change after a quiet spell within LEAD_MS, with every topic it gathered', () => {
    vi.useFakeTimers();
    const live = new LiveUpdates({ extensionOrigin: EXT });
    const port = pagePort();
    live.accept(port);
    live.changed('log');
    live.changed('activity', 'log');
    vi.advanceTimersByTime(LEAD_MS - 1);
    expect(port.changes()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(port.changes()).toEqual([['log', 'activity']]);
  });

  it('a burst of 50 changes over 250 ms makes a few notices, at most one per WINDOW_MS, and loses none', () => {
    vi.useFakeTimers();
    const live = new LiveUpdates({ extensionOrigin: EXT });
    const port = pagePort();
    live.accept(port);
    const sentAt: number[] = [];
    const start = Date.now();
    const post = port.postMessage.bind(port);
    port.postMessage = (m) => (post(m), sentAt.push(Date.now() - start));
    for (let i = 0; i < 50; i++) {
      live.changed('log', 'activity');
      if (i === 49) live.changed('policy');
      vi.advanceTimersByTime(5);
    }
    vi.advanceTimersByTime(WINDOW_MS);
    expect(port.changes().length).toBeGreaterThanOrEqual(2);
    expect(port.changes().length).toBeLessThanOrEqual(Math.ceil(250 / WINDOW_MS) + 1);
    for (let i = 1; i < sentAt.length; i++) expect(sentAt[i]! - sentAt[i - 1]!).toBeGreaterThanOrEqual(WINDOW_MS);
    // The last notice carries the change made at the very end.
    expect(port.changes().at(-1)).toContain('policy');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sends each notice to every connected page; a page that went away is dropped', () => {
    vi.useFakeTimers();
    const live = new LiveUpdates({ extensionOrigin: EXT });
    const a = pagePort();
    const b = pagePort(`${EXT}/src/ui/options/index.html#sites`);
    live.accept(a);
    live.accept(b);
    live.changed('policy');
    vi.advanceTimersByTime(LEAD_MS);
    expect(a.changes()).toEqual([['policy']]);
    expect(b.changes()).toEqual([['policy']]);
    a.close();
    expect(live.connected).toBe(1);
    live.changed('settings');
    vi.advanceTimersByTime(WINDOW_MS);
    expect(a.changes()).toEqual([['policy']]);
    expect(b.changes()).toEqual([['policy'], ['settings']]);
    b.close();
    live.changed('vault');
    expect(vi.getTimerCount()).toBe(0);
  });
});

// The module wired as index.ts wires it, around the real router and database.
interface Wired {
  live: LiveUpdates;
  ctx: BackgroundContext;
  route: Router;
  ok<T = unknown>(method: string, params?: unknown): Promise<T>;
  sign(): Promise<WireResponse>;
}
const contexts: BackgroundContext[] = [];
afterEach(() => {
  for (const ctx of contexts.splice(0)) {
    ctx.prompts.refuseAll(fail('denied', 'test over'));
    ctx.db.close();
  }
});

function wire(): Wired {
  const live = new LiveUpdates({ extensionOrigin: EXT });
  const ctx = createContext({
    db: new WardenDb(uniqueDbName('live')),
    session: live.watchSession(new MemorySessionStore()),
    extensionOrigin: EXT,
    scryptLogN: 8,
    onPromptsChanged: () => live.changed('prompts'),
  });
  contexts.push(ctx);
  live.watchDb(ctx.db);
  const route = createRouter(ctx);
  const sender: SenderInfo = { id: 'abc', url: POPUP };
  const site: SenderInfo = { id: 'abc', url: `${SITE}/app`, origin: SITE, tab: { id: 7, url: `${SITE}/app` }, frameId: 0 };
  return {
    live,
    ctx,
    route,
    async ok<T>(method: string, params: unknown = {}) {
      const r = await route({ type: 'admin', method, params }, sender);
      if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
      return r.result as T;
    },
    sign: () => route({ type: 'nip07', id: crypto.randomUUID(), method: 'sign_event', params: { event: { kind: 1, content: 'hi', tags: [] } } }, site),
  };
}

/** Runs `write`, waits until no notice has come for a while, and returns the topics named since. */
async function topicsAfter(port: FakePort, write: () => Promise<unknown>): Promise<LiveTopic[]> {
  const before = port.received.length;
  await write();
  let seen = -1;
  await waitFor(async () => {
    const n = port.received.length;
    if (n === seen) return true;
    seen = n;
    await new Promise((r) => setTimeout(r, WINDOW_MS + 30));
    return false;
  }, 5_000, 'the notices to stop');
  return [...new Set(port.received.slice(before).flatMap((n) => n.topics))].sort();
}

describe('topics after writes (the real router and database)', () => {
  it('names what each kind of write changed', async () => {
    const w = wire();
    const port = pagePort();
    w.live.accept(port);
    expect(await topicsAfter(port, () => w.ok('create_account', { password: PW, label: 'Main' }))).toEqual(expect.arrayContaining(['vault']));
    expect(await topicsAfter(port, () => w.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 10, windowSeconds: 3600 }] }))).toEqual(['policy']);
    expect(await topicsAfter(port, async () => expect((await w.sign()).ok).toBe(true))).toEqual(['activity', 'log']);
    expect(await topicsAfter(port, () => w.ok('set_settings', { autoLockMinutes: 5 }))).toEqual(['settings', 'vault']);
    expect(await topicsAfter(port, () => w.ok('lock'))).toEqual(['vault']);
    expect(await topicsAfter(port, () => w.ok('unlock', { password: PW }))).toEqual(['vault']);
    // A read changes nothing and sends nothing.
    expect(await topicsAfter(port, () => w.ok('get_site_view', { origin: SITE, activityLimit: 6 }))).toEqual([]);
    // A request nothing covers waits on a prompt: the queue changed (and the activity says it
    // asked), and again when it is answered.
    const asked = w.route({ type: 'nip07', id: crypto.randomUUID(), method: 'get_public_key', params: {} }, { id: 'abc', url: `${SITE}/app`, origin: SITE, tab: { id: 7, url: `${SITE}/app` }, frameId: 0 });
    expect(await topicsAfter(port, () => waitFor(() => w.ctx.prompts.list().length === 1))).toEqual(['activity', 'prompts']);
    const [p] = w.ctx.prompts.list();
    expect(await topicsAfter(port, async () => {
      await w.ok('resolve_prompt', { promptId: p!.promptId, decision: 'deny' });
      await asked;
    })).toEqual(expect.arrayContaining(['prompts']));
  });

  it("the clock saving its time is no change for a page; another settings row written with it is", async () => {
    const w = wire();
    await w.ok('create_account', { password: PW, label: 'Main' });
    const port = pagePort();
    w.live.accept(port);
    const clockRow = (at: number) => ({ collection: CLOCK_KEY[0], key: CLOCK_KEY[1], value: { at, wall: at } });
    expect(await topicsAfter(port, () => w.ctx.db.settings.put(clockRow(Date.now() + 60_000)))).toEqual([]);
    // What a worker's start does: a new clock reads the row and saves its time at once.
    expect(await topicsAfter(port, () => new MonotonicClock(BROWSER_TIME).restore(w.ctx.db))).toEqual([]);
    const both = [clockRow(Date.now() + 120_000), { collection: 'retention', key: 'logs', value: { activityDays: 30, signingLogDays: null } }];
    expect(await topicsAfter(port, () => w.ctx.db.settings.bulkPut(both))).toEqual(['settings', 'vault']);
    expect(await topicsAfter(port, () => w.ok('set_settings', { autoLockMinutes: 7 }))).toEqual(['settings', 'vault']);
  });

  it('a burst of 50 concurrent signatures sends a few notices, not 50', async () => {
    const w = wire();
    await w.ok('create_account', { password: PW, label: 'Main' });
    await w.ok('grant', { origin: SITE, rules: [{ method: 'sign_event' }] });
    const port = pagePort();
    w.live.accept(port);
    const start = Date.now();
    const results = await Promise.all(Array.from({ length: 50 }, () => w.sign()));
    const took = Date.now() - start;
    expect(results.every((r) => r.ok)).toBe(true);
    const topics = await topicsAfter(port, async () => {});
    expect(topics).toEqual(['activity', 'log']);
    const notices = port.changes().length;
    // One at the start, then at most one per window while the burst lasts, and the tail.
    expect(notices).toBeLessThanOrEqual(Math.ceil(took / WINDOW_MS) + 3);
    expect(notices).toBeLessThan(50);
    expect(notices).toBeGreaterThanOrEqual(1);
  });

  it('with every page gone it stops listening to the database; a new page is heard again', async () => {
    const w = wire();
    await w.ok('create_account', { password: PW, label: 'Main' });
    const first = pagePort();
    w.live.accept(first);
    first.close();
    const sent = w.live.sent;
    await w.ok('grant', { origin: SITE, rules: [{ method: 'sign_event' }] });
    await new Promise((r) => setTimeout(r, WINDOW_MS + 30));
    expect(w.live.sent).toBe(sent);

    const second = pagePort();
    w.live.accept(second);
    expect(await topicsAfter(second, () => w.ok('revoke_grant', { grantId: 1 }))).toEqual(['policy']);
  });
});
