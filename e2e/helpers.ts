// Small helpers shared by the spec files: admin RPC shapes, calls left running in a page,
// catching the prompt window.
import type { Page } from '@playwright/test';
import { expect, type Extension } from './fixtures.ts';

export const PROMPT_PATH = 'src/ui/prompt/index.html';
export const PROMPT_URL = /\/src\/ui\/prompt\/index\.html(\?.*)?$/;

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

export interface SignedEvent {
  id: string;
  pubkey: string;
  kind: number;
  content: string;
  tags: string[][];
  created_at: number;
  sig: string;
}

export type CallResult<T = unknown> = { ok: true; value: T } | { ok: false; code: string; message: string };

export const status = (ext: Extension) => ext.admin<Status>('get_status');
export const policies = (ext: Extension, origin?: string) => ext.admin<Policies>('get_policies', origin ? { origin } : {});
export async function signingLog(ext: Extension, params: Record<string, unknown> = {}): Promise<LogEntry[]> {
  return (await ext.admin<{ entries: LogEntry[] }>('get_signing_log', { limit: 1000, ...params })).entries;
}
export async function activity(ext: Extension): Promise<{ id: number; origin: string; method: string; outcome: string; reason: string }[]> {
  return (await ext.admin<{ entries: { id: number; origin: string; method: string; outcome: string; reason: string }[] }>('get_activity', { limit: 1000 })).entries;
}

export const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** A kind-1 event template as pages send it. */
export function note(content: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: 1, content, tags: [], created_at: Math.floor(Date.now() / 1000), ...extra };
}

/**
 * Starts `script` (an expression evaluating to a promise) in the page without waiting for it; its
 * settled result is kept in the page under `name`, for awaitCall.
 */
export async function startCall(page: Page, name: string, script: string): Promise<void> {
  await page.evaluate(
    ([n, src]) => {
      const w = window as unknown as { __calls?: Record<string, Promise<unknown>> };
      w.__calls ??= {};
      // eslint-disable-next-line no-new-func
      w.__calls[n] = (new Function(`return (${src})`)() as Promise<unknown>).then(
        (value) => ({ ok: true, value }),
        (err: Error & { code?: string }) => ({ ok: false, code: err.code ?? 'none', message: err.message }),
      );
    },
    [name, script] as const,
  );
}

export async function awaitCall<T = unknown>(page: Page, name: string): Promise<CallResult<T>> {
  return page.evaluate((n) => (window as unknown as { __calls: Record<string, Promise<unknown>> }).__calls[n], name) as Promise<CallResult<T>>;
}

/** Polls get_status until `count` requests wait for an answer. */
export async function waitForPending(ext: Extension, count = 1, timeout = 10_000): Promise<Status['pending']> {
  let pending: Status['pending'] = [];
  await expect
    .poll(async () => (pending = (await status(ext)).pending).length, { timeout, message: `${count} pending prompt(s)` })
    .toBeGreaterThanOrEqual(count);
  return pending;
}

/** Arms a waiter for the prompt window; call before the request that should open it. */
export function catchPrompt(ext: Extension, timeout = 10_000): Promise<Page> {
  return (async () => {
    const page = await ext.context.waitForEvent('page', { timeout });
    await page.waitForURL(PROMPT_URL, { timeout });
    return page;
  })();
}

/** Records every page that opens from now on (to prove that no prompt window opened). */
export function watchPages(ext: Extension): string[] {
  const urls: string[] = [];
  ext.context.on('page', (p) => {
    urls.push(p.url());
    void p.waitForLoadState('domcontentloaded').then(() => urls.push(p.url()), () => {});
  });
  return urls;
}

/** Like nostrCall, but a call still pending after `ms` comes back as code 'still_pending' (a hang is a failure, not a timeout of the test). */
export async function nostrCallWithin<T = unknown>(page: Page, script: string, ms = 3_000): Promise<CallResult<T> | { ok: false; code: 'still_pending'; message: string }> {
  return page.evaluate(
    async ([src, limit]) => {
      // eslint-disable-next-line no-new-func
      const call = (new Function(`return (${src})`)() as Promise<unknown>).then(
        (value) => ({ ok: true as const, value }),
        (err: Error & { code?: string }) => ({ ok: false as const, code: err.code ?? 'none', message: err.message }),
      );
      const late = new Promise<{ ok: false; code: string; message: string }>((ok) =>
        setTimeout(() => ok({ ok: false, code: 'still_pending', message: `not settled after ${limit} ms` }), limit),
      );
      return Promise.race([call, late]);
    },
    [script, ms] as const,
  ) as Promise<CallResult<T>>;
}
