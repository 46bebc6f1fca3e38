// Everything a handler may use, built once per worker start. No browser API here: the browser
// parts (session storage, prompt window) are passed in, so the router runs under unit tests too.
import type { PolicyClock } from '../policy/decide.ts';
import { WardenDb } from '../db/schema.ts';
import { PolicyCache } from '../db/policyCache.ts';
import { TailCache } from '../db/tailCache.ts';
import { ActivityWriter } from '../db/activity.ts';
import { Vault } from '../vault/vault.ts';
import type { SessionStore } from '../vault/sessionStore.ts';
import { MAX_WAITING_TOTAL, PromptQueue, type PromptInfo } from './prompts/queue.ts';
import { Serial } from './serial.ts';
import { PromptResume } from './prompts/resume.ts';
import { TabSites } from './tabSites.ts';
import { RateCheck } from './rateCheck.ts';
import { Backoff } from './prompts/backoff.ts';
import { KillSwitch } from './killSwitch.ts';
import { BROWSER_TIME, MonotonicClock, type TimeSources } from './clock.ts';
import { Bunker } from './bunker/bunker.ts';
import { remoteHandler } from './bunker/dispatch.ts';
import type { SocketFactory, SocketLike, Timers } from './bunker/relayLink.ts';

export interface ContextOptions {
  db?: WardenDb;
  session: SessionStore;
  /**
   * The system clock (tests move it). Without `steady`, time stands still while it is behind the
   * latest time seen; the browser's default also lets it run on at the steady clock's pace.
   */
  now?: () => number;
  steady?: () => number;
  /** e.g. `chrome-extension://<id>`: only pages of this origin may use the admin RPC. */
  extensionOrigin: string;
  onPromptsChanged?: (pending: readonly PromptInfo[]) => void;
  promptTimeoutMs?: number;
  maxPendingPerOrigin?: number;
  /** Waiting requests of all sites together (docs/THREATS.md #34). */
  maxPendingTotal?: number;
  /** The per-site rate check: refusals in a burst, and given back per second. */
  refusalBurst?: number;
  refusalsPerSecond?: number;
  scryptLogN?: number;
  /** The bunker's WebSocket (the browser's by default; the Node tests pass the `ws` package's). */
  bunkerSocket?: SocketFactory;
  bunkerTimers?: Timers;
  onBunkerChanged?: () => void;
}

export interface BackgroundContext {
  db: WardenDb;
  policy: PolicyCache;
  tails: TailCache;
  activity: ActivityWriter;
  serial: Serial;
  rate: RateCheck;
  vault: Vault;
  prompts: PromptQueue;
  resume: PromptResume;
  /** Sites whose prompts the person kept refusing may not ask for a while (docs/THREATS.md #38). */
  backoff: Backoff;
  /** While on, every web-page request is refused before anything else (src/background/killSwitch.ts). */
  killSwitch: KillSwitch;
  /** The site each tab's top frame last asked from (the popup's "current site"). */
  tabSites: TabSites;
  /** The (site, request id) pairs this worker is answering now: a second live one is refused. */
  inFlight: Set<string>;
  session: SessionStore;
  /** The background's time: never before a time it has seen, across restarts (clock.ts). */
  now: () => number;
  time: MonotonicClock;
  clock: () => PolicyClock;
  extensionOrigin: string;
  /** When this worker (or event page) started: proves a restart in tests. */
  startedAt: number;
  /** Resolves once the vault and session are restored; every message waits for it. */
  ready: Promise<void>;
  /** The NIP-46 bunker: remote clients' requests take the same path as a page's (src/background/bunker/). */
  bunker: Bunker;
}

const SESSION_ID_KEY = 'browserSessionId';

export function createContext(opts: ContextOptions): BackgroundContext {
  const db = opts.db ?? new WardenDb();
  const sources: TimeSources = opts.now ? { wall: opts.now, steady: opts.steady ?? (() => 0) } : { ...BROWSER_TIME, ...(opts.steady ? { steady: opts.steady } : {}) };
  const time = new MonotonicClock(sources);
  const now = () => time.now();
  const vault = new Vault({ db, session: opts.session, now, ...(opts.scryptLogN ? { scryptLogN: opts.scryptLogN } : {}) });
  const resume = new PromptResume(opts.session);
  const backoff = new Backoff(opts.session, now);
  const killSwitch = new KillSwitch(db);
  let restored = false;
  const activity = new ActivityWriter(db);
  const prompts = new PromptQueue({
    maxPerOrigin: opts.maxPendingPerOrigin ?? 20,
    maxTotal: opts.maxPendingTotal ?? MAX_WAITING_TOTAL,
    timeoutMs: opts.promptTimeoutMs ?? 120_000,
    now,
    onChange: (pending) => {
      // Until the saved list is read back, an empty queue must not overwrite it.
      if (restored) resume.save(pending);
      opts.onPromptsChanged?.(pending);
    },
    onAsked: (info) => activity.push({ origin: info.origin, method: info.method, kind: info.kind, outcome: 'asked', reason: info.reason, createdAt: now() }),
    onRateLimited: (request, error) =>
      activity.push({ origin: request.origin, method: request.method, kind: request.kind, outcome: 'rate_limited', reason: error.message, createdAt: now() }),
  });
  let sessionId = '';
  const ready = (async () => {
    await db.open();
    // Before anything else: no request may be served before the switch's state is known.
    await killSwitch.load();
    // Before anything is decided: the latest time an earlier worker saw.
    await time.restore(db);
    // storage.session is emptied when the browser closes: a new id marks a new browser session,
    // which ends every "until the browser closes" rule and override.
    sessionId = (await opts.session.get<string>(SESSION_ID_KEY)) ?? crypto.randomUUID();
    await opts.session.set(SESSION_ID_KEY, sessionId);
    await vault.restore();
    await resume.load(prompts);
    await backoff.load();
    restored = true;
  })();
  const ctx: BackgroundContext = {
    db,
    policy: new PolicyCache(db),
    tails: new TailCache(),
    activity,
    serial: new Serial(),
    rate: new RateCheck({ burst: opts.refusalBurst ?? 100, perSecond: opts.refusalsPerSecond ?? 20, now }),
    vault,
    prompts,
    resume,
    backoff,
    killSwitch,
    tabSites: new TabSites(opts.session),
    inFlight: new Set(),
    session: opts.session,
    now,
    time,
    clock: () => ({ now: now(), sessionId }),
    extensionOrigin: opts.extensionOrigin,
    startedAt: now(),
    ready,
    bunker: undefined as unknown as Bunker,
  };
  ctx.bunker = new Bunker({
    db,
    now,
    handle: remoteHandler(ctx),
    socket: opts.bunkerSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike),
    ...(opts.bunkerTimers ? { timers: opts.bunkerTimers } : {}),
    // A new client is granted for the active account, and only while the vault is unlocked.
    accountId: () => (vault.status().locked ? null : (vault.active()?.id ?? null)),
    sessionId: () => sessionId,
    ...(opts.onBunkerChanged ? { onChange: opts.onBunkerChanged } : {}),
  });
  return ctx;
}
