// The background as the unit tests drive it: a real context (Dexie on fake-indexeddb, a memory
// storage.session, a clock the test moves) and the real router, reached the way the browser
// reaches it — an extension page for admin calls, a content script's sender for NIP-07.
import { afterEach, expect } from 'vitest';
import type { VerifiedEvent } from 'nostr-tools/pure';
import { createContext, type BackgroundContext, type ContextOptions } from '../background/context.ts';
import { createRouter, type Router } from '../background/router.ts';
import type { SenderInfo } from '../background/sender.ts';
import { WardenDb } from '../db/schema.ts';
import { MemorySessionStore } from '../vault/sessionStore.ts';
import { fail, type WireResponse } from '../shared/errors.ts';
import { METHODS, type Method } from '../shared/methods.ts';
import { snapshot, uniqueDbName, waitFor } from './fixtures.ts';

export const EXT = 'chrome-extension://abc';
export const OPTIONS_PAGE = `${EXT}/src/ui/options/index.html`;
export const POPUP_PAGE = `${EXT}/src/ui/popup/index.html`;
export const EXT_SENDER: SenderInfo = { id: 'abc', url: OPTIONS_PAGE };
export const SITE = 'https://site.example';
export const OTHER = 'https://other.example';
export const PW = 'test password';
export const T0 = 1_700_000_000_000;
export const ALL_METHODS_RULES = METHODS.map((method) => ({ method }));

// Results of admin calls in tests are read loosely: each assertion states the shape it expects.
export type Any = any;

/** What a content script in a top-level frame of `origin` looks like to the background. */
export function siteSender(origin: string, path = '/app'): SenderInfo {
  return { id: 'abc', url: `${origin}${path}`, origin, tab: { id: 7, url: `${origin}${path}` }, frameId: 0 };
}

export interface ContextSetup extends Partial<ContextOptions> {
  /** Reopen an earlier test's database: a worker restart. */
  dbName?: string;
  session?: MemorySessionStore;
  clock?: { t: number };
}

export interface TestContext {
  ctx: BackgroundContext;
  clock: { t: number };
  dbName: string;
  session: MemorySessionStore;
}

// Every context a test opens is closed after it, with whatever still waits on a prompt refused, so
// no request outlives its test. Registered when a test file imports this module, for that file.
const opened: BackgroundContext[] = [];
afterEach(() => {
  for (const ctx of opened.splice(0)) {
    ctx.prompts.refuseAll(fail('denied', 'test over'));
    ctx.bunker.pause();
    ctx.db.close();
  }
});

/** A background context as a worker start builds it, on its own database unless told otherwise. */
export function makeContext(setup: ContextSetup = {}): TestContext {
  const { dbName = uniqueDbName('bg'), session = new MemorySessionStore(), clock = { t: T0 }, ...options } = setup;
  const ctx = createContext({
    db: new WardenDb(dbName),
    session,
    extensionOrigin: EXT,
    now: () => clock.t,
    scryptLogN: 8,
    ...options,
  });
  opened.push(ctx);
  return { ctx, clock, dbName, session };
}

export interface Harness extends TestContext {
  route: Router;
  /** An admin call from `sender` (an extension page unless told otherwise). */
  admin(method: string, params?: unknown, sender?: SenderInfo): Promise<WireResponse>;
  /** An admin call that must succeed: its result. */
  ok<T = Any>(method: string, params?: unknown): Promise<T>;
  nip07(site: string | SenderInfo, method: Method, params?: unknown): Promise<WireResponse>;
  sign(site: string | SenderInfo, event?: Record<string, unknown>): Promise<WireResponse>;
  pending(): Promise<{ promptId: string; origin: string; method: Method; kind?: number }[]>;
  account?: { accountId: number; pubkey: string };
}

export type HarnessSetup = ContextSetup & { adminSender?: SenderInfo };

export function makeHarness(setup: HarnessSetup = {}): Harness {
  const { adminSender = EXT_SENDER, ...contextSetup } = setup;
  const base = makeContext(contextSetup);
  const route = createRouter(base.ctx);
  const h: Harness = {
    ...base,
    route,
    admin: (method, params = {}, sender = adminSender) => route({ type: 'admin', method, params }, sender),
    async ok(method, params = {}) {
      const r = await route({ type: 'admin', method, params }, adminSender);
      if (!r.ok) throw new Error(`admin ${method} failed: ${r.error.code} ${r.error.message}`);
      return r.result as Any;
    },
    nip07: (site, method, params = {}) =>
      route({ type: 'nip07', id: crypto.randomUUID(), method, params }, typeof site === 'string' ? siteSender(site) : site),
    sign: (site, event = {}) => h.nip07(site, 'sign_event', { event: { kind: 1, content: 'hello', tags: [], ...event } }),
    async pending() {
      return (await h.ok('get_status')).pending;
    },
  };
  return h;
}

export type AccountHarness = Harness & { account: { accountId: number; pubkey: string } };

/** A harness whose vault has one account (password `PW`), unlocked. */
export async function withAccount(setup: HarnessSetup = {}): Promise<AccountHarness> {
  const h = makeHarness(setup);
  h.account = await h.ok('create_account', { password: PW, label: 'Main' });
  return h as AccountHarness;
}

/** Every stored row; activity rows are written behind the decision, so flush them first. */
export async function snap(h: TestContext): Promise<Record<string, unknown[]>> {
  await h.ctx.activity.flush();
  return snapshot(h.ctx.db);
}

export function code(r: WireResponse): string {
  return r.ok ? 'ok' : r.error.code;
}

export function signed(r: WireResponse): VerifiedEvent {
  if (!r.ok) throw new Error(`expected a signature, got ${r.error.code}: ${r.error.message}`);
  return r.result as VerifiedEvent;
}

export async function logCount(h: TestContext): Promise<number> {
  return h.ctx.db.signingLog.count();
}

/** Waits until `n` requests (of `origin`, if given) wait on a prompt, and returns them. */
export async function waitPending(h: Harness, n: number, origin?: string) {
  return waitFor(async () => {
    const p = (await h.pending()).filter((x) => origin === undefined || x.origin === origin);
    return p.length >= n ? p : null;
  }, 3_000, `${n} pending prompt(s)`);
}

/**
 * How a request ends without relying on prompt timeouts: its own code if it settles by itself, or
 * 'asked' if it waits on a prompt (which is then denied so nothing is left waiting).
 */
export async function settle(h: Harness, p: Promise<WireResponse>): Promise<string> {
  const ended = await askedThen(h, p);
  if (!ended.startsWith('asked')) return ended;
  expect(ended).toBe('asked → denied');
  return 'asked';
}

/** Its own code if it settles by itself, else "asked → <code>" once the prompt it waits on is refused. */
export async function askedThen(h: Harness, p: Promise<WireResponse>): Promise<string> {
  let done: WireResponse | undefined;
  void p.then((r) => (done = r));
  const state = await waitFor(async () => (done ? 'done' : (await h.pending()).length ? 'asked' : null), 3_000, 'the request to settle or ask');
  if (state === 'done') return code(done!);
  const [pending] = await h.pending();
  await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'deny' });
  return `asked → ${code(await p)}`;
}

/**
 * With no account or a locked vault a request waits on an unlock prompt; giving up there refuses
 * it with its code. Returns that code.
 */
export async function giveUp(h: Harness, p: Promise<WireResponse>): Promise<string> {
  const [pending] = await waitPending(h, 1);
  await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'deny' });
  return code(await p);
}
