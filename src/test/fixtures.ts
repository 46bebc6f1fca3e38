// Shared helpers for unit tests only (never imported by the extension).
import { vi } from 'vitest';
import { ALL_STORES, type WardenDb } from '../db/schema.ts';
import type { Grant, Override, Rule } from '../policy/records.ts';
import type { Method } from '../shared/methods.ts';

/** A fresh database name per test: fake-indexeddb is shared by the whole worker. */
export function uniqueDbName(prefix = 't'): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

/** Every row of every store, for "nothing changed" comparisons. */
export async function snapshot(db: WardenDb): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const store of ALL_STORES) out[store] = await db.table(store).toArray();
  return out;
}

// ---- plain policy records (for decide()) -------------------------------------------------

export function grantRec(id: number, extra: Partial<Grant> = {}): Grant {
  return { id, origin: 'https://site.example', accountId: 1, createdAt: 0, expiresAt: null, revokedAt: null, onCapReached: 'deny', ...extra };
}

export function ruleRec(id: number, grantId: number, method: Method, extra: Partial<Rule> = {}): Rule {
  return { id, grantId, method, kind: null, maxUsageCount: null, windowSeconds: null, createdAt: 0, ...extra };
}

export function overrideRec(id: number, method: Method, effect: 'allow' | 'deny', extra: Partial<Override> = {}): Override {
  return { id, origin: 'https://site.example', accountId: 1, method, kind: null, effect, createdAt: 0, expiresAt: null, revokedAt: null, ...extra };
}

// ---- browser emulation -------------------------------------------------------------------

/**
 * Node's URL follows the WHATWG spec, where `chrome-extension:` / `moz-extension:` are not
 * special schemes and so have an opaque ("null") origin. Chrome and Firefox register their
 * extension schemes as standard ones, so there `new URL('chrome-extension://id/x').origin` is
 * `chrome-extension://id`. This stub makes Node behave like the browser the code runs in; every
 * other scheme keeps Node's own behaviour. (See router.access.test.ts "sender" for the test that
 * shows the source depends on this.)
 */
export function emulateBrowserExtensionUrls(): void {
  const NodeURL = globalThis.URL;
  class BrowserURL extends NodeURL {
    override get origin(): string {
      if (this.protocol === 'chrome-extension:' || this.protocol === 'moz-extension:') {
        return this.host ? `${this.protocol}//${this.host}` : 'null';
      }
      return super.origin;
    }
  }
  vi.stubGlobal('URL', BrowserURL);
}

// ---- async helpers ---------------------------------------------------------------------

/** Polls until `check` returns a truthy value (the router's prompt path is asynchronous). */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 3_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Resolves with 'pending' if the promise has not settled after a few macrotasks. */
export async function settledState(p: Promise<unknown>, ticks = 5): Promise<'pending' | 'settled'> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < ticks; i++) await new Promise((r) => setTimeout(r, 0));
  return settled ? 'settled' : 'pending';
}
