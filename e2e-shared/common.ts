// What the Chromium fixtures (e2e/, Playwright) and the Firefox fixtures (e2e-firefox/,
// puppeteer-core over WebDriver BiDi) have in common: the test sites, temporary folders, the admin
// RPC's reply shapes and the calls built on them, the scripts run inside pages, and polling. Nothing
// here knows a driver: each fixture passes in how its driver reaches a page.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serveStatic } from '../scripts/serve-demo.mjs';

export const ROOT = resolve(import.meta.dirname, '..');
export const PASSWORD = 'correct horse battery staple';
/** The prompt window's page, from the extension's root. */
export const PROMPT_PAGE = '/src/ui/prompt/index.html';

// ---- local sites and folders ----------------------------------------------------------------

export interface TestSites {
  /** http://127.0.0.1:PORT, one port per site, each serving demo/ and e2e/site/. */
  urls: string[];
  close(): void;
}

/** Serves the demo site and the test pages on `count` ports of localhost (each port is an origin). */
export async function serveTestSites(count = 1): Promise<TestSites> {
  const roots = [resolve(ROOT, 'demo'), resolve(ROOT, 'e2e', 'site')];
  const sites = await Promise.all(Array.from({ length: count }, () => serveStatic(roots)));
  return {
    urls: sites.map((s) => s.url),
    close: () => {
      for (const s of sites) s.server.close();
    },
  };
}

/** A new empty folder under the system's temp dir (a browser profile, a copy of a build). */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

// ---- waiting ----------------------------------------------------------------------------------

export const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** Polls `probe` until it returns a value other than undefined/false, or throws after `timeout`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeout = 10_000, every = 100): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(every);
  }
}

// ---- the admin RPC ------------------------------------------------------------------------------

export interface AdminReply<T = unknown> {
  ok: boolean;
  result?: T;
  error?: { code: string; message: string };
}

export interface AdminClient {
  /** Raw admin RPC: the reply exactly as the background sends it. */
  adminRaw<T = unknown>(method: string, params?: unknown): Promise<AdminReply<T>>;
  /** Admin RPC that throws on `{ ok: false }`. */
  admin<T = unknown>(method: string, params?: unknown): Promise<T>;
}

/** The admin client over `send`: the driver's way to post one admin message from an extension page. */
export function adminClient(send: (method: string, params: unknown) => Promise<unknown>): AdminClient {
  const adminRaw = <T>(method: string, params: unknown = {}) => send(method, params) as Promise<AdminReply<T>>;
  const admin = async <T>(method: string, params: unknown = {}) => {
    const reply = await adminRaw<T>(method, params).catch((err: Error) => {
      throw new Error(`${method}: ${err.message}`);
    });
    if (!reply?.ok) throw new Error(`${method}: ${reply?.error?.code} ${reply?.error?.message}`);
    return reply.result as T;
  };
  return { adminRaw, admin };
}

export interface Status {
  locked: boolean;
  hasAccount: boolean;
  account?: { id: number; pubkey: string; label: string };
  workerStartedAt?: number;
  pending: { promptId: string; origin: string; method: string; kind?: number }[];
}

export interface RuleView {
  id: number;
  method: string;
  kind: number | null;
  maxUsageCount: number | null;
  windowSeconds: number | null;
  used: number;
}

export interface Policies {
  grants: {
    id: number;
    origin: string;
    accountId: number;
    createdAt: number;
    expiresAt: number | null;
    revokedAt: number | null;
    onCapReached: string;
    rules: RuleView[];
  }[];
  overrides: { id: number; origin: string; method: string; kind: number | null; effect: string; revokedAt: number | null }[];
}

export interface LogEntry {
  id: number;
  origin: string;
  accountId: number;
  method: string;
  kind: number | null;
  createdAt: number;
  eventId?: string;
}

export interface ActivityEntry {
  id: number;
  origin: string;
  method: string;
  outcome: string;
  reason: string;
  /** Repeated refusals collapsed into this row: how many (absent: one). */
  count?: number;
}

export const status = (ext: AdminClient) => ext.admin<Status>('get_status');
export const policies = (ext: AdminClient, origin?: string) => ext.admin<Policies>('get_policies', origin ? { origin } : {});
export async function signingLog(ext: AdminClient, params: Record<string, unknown> = {}): Promise<LogEntry[]> {
  return (await ext.admin<{ entries: LogEntry[] }>('get_signing_log', { limit: 1000, ...params })).entries;
}
export async function activity(ext: AdminClient): Promise<ActivityEntry[]> {
  return (await ext.admin<{ entries: ActivityEntry[] }>('get_activity', { limit: 1000 })).entries;
}

/** Creates an unlocked account (password PASSWORD) and returns its id and pubkey. */
export function createAccount(ext: AdminClient, label: string): Promise<{ accountId: number; pubkey: string }> {
  return ext.admin('create_account', { password: PASSWORD, label });
}

// ---- pages and events ---------------------------------------------------------------------------

export interface SignedEvent {
  id: string;
  pubkey: string;
  kind: number;
  content: string;
  tags: string[][];
  created_at: number;
  sig: string;
}

/** A kind-1 event template as pages send it. */
export function note(content: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: 1, content, tags: [], created_at: Math.floor(Date.now() / 1000), ...extra };
}

/** A signEvent call as a script for startCall / nostrCall. */
export const signScript = (event: Record<string, unknown>) => `window.nostr.signEvent(${JSON.stringify(event)})`;

/** signScript of a kind-1 note with `content`. */
export const signCall = (content: string) => signScript(note(content));

export type CallResult<T = unknown> = { ok: true; value: T } | { ok: false; code: string; message: string };

// The three functions below are sent to the page and run there (each driver's evaluate sends the
// function's source), so they use nothing from this module and take a single argument.

/** In the page: runs `src` (an expression giving a promise) and settles with its value or the refusal's code. */
export async function callInPage(src: string): Promise<CallResult> {
  try {
    // The call is sent as source text and run in the page, where window.nostr lives.
    const value = await new Function(`return (${src})`)();
    return { ok: true as const, value };
  } catch (err) {
    const e = err as Error & { code?: string };
    return { ok: false as const, code: e.code ?? 'none', message: e.message };
  }
}

/** In the page: starts `src` without waiting; its settled result is kept under `name` for resultInPage. */
export function startInPage([name, src]: readonly [string, string]): void {
  const w = window as unknown as { __calls?: Record<string, Promise<unknown>> };
  w.__calls ??= {};
  // The call is sent as source text and run in the page, where window.nostr lives.
  w.__calls[name] = (new Function(`return (${src})`)() as Promise<unknown>).then(
    (value) => ({ ok: true, value }),
    (err: Error & { code?: string }) => ({ ok: false, code: err.code ?? 'none', message: err.message }),
  );
}

/** In the page: the result startInPage kept under `name`, once settled. */
export function resultInPage(name: string): Promise<unknown> {
  return (window as unknown as { __calls: Record<string, Promise<unknown>> }).__calls[name]!;
}

/** A page of either driver: Playwright's and puppeteer's both run `fn(arg)` in the page and resolve with what it returns. */
export interface InPage {
  // Both drivers type `evaluate` generically; this is the one shape both accept.
  evaluate(fn: (arg: any) => unknown, arg: any): Promise<unknown>;
}

/** Calls window.nostr in the page (`script` is an expression giving a promise); a refusal comes back with its code. */
export function nostrCall<T = unknown>(page: InPage, script: string): Promise<CallResult<T>> {
  return page.evaluate(callInPage, script) as Promise<CallResult<T>>;
}

/** Starts `script` in the page without waiting for it; awaitCall(page, name) collects its result. */
export async function startCall(page: InPage, name: string, script: string): Promise<void> {
  await page.evaluate(startInPage, [name, script] as const);
}

export function awaitCall<T = unknown>(page: InPage, name: string): Promise<CallResult<T>> {
  return page.evaluate(resultInPage, name) as Promise<CallResult<T>>;
}

// ---- the database behind the extension's back -------------------------------------------------

/**
 * In an extension page (sent there by the driver's evaluate, so it uses nothing from this module):
 * adds rows to the signing log and deletes entries by id straight through IndexedDB, as another
 * program or a crafted restore could — no guard, no chain.
 */
export async function editLogInPage({ add = [], remove = [] }: { add?: Record<string, unknown>[]; remove?: number[] }): Promise<void> {
  const db = await new Promise<IDBDatabase>((ok, no) => {
    const r = indexedDB.open('warden');
    r.onsuccess = () => ok(r.result);
    r.onerror = () => no(r.error);
  });
  await new Promise<void>((ok, no) => {
    const tx = db.transaction('signingLog', 'readwrite');
    for (const row of add) tx.objectStore('signingLog').add(row);
    for (const id of remove) tx.objectStore('signingLog').delete(id);
    tx.oncomplete = () => ok();
    tx.onerror = () => no(tx.error);
  });
  db.close();
}
