// The database as the db unit tests use it: a fresh WardenDb on fake-indexeddb per call, closed
// after the test, and the few records every test builds (grants, signing-log rows, a clock).
import { afterEach } from 'vitest';
import { WardenDb } from '../db/schema.ts';
import { createGrant } from '../db/policy.ts';
import { appendLog } from '../db/signingLog.ts';
import type { PolicyClock } from '../policy/decide.ts';
import type { SigningLogEntry } from '../policy/records.ts';
import type { Method } from '../shared/methods.ts';
import { uniqueDbName } from './fixtures.ts';

export const A = 'https://a.example';
export const B = 'https://b.example';
/** The tests' "now": a fixed instant, so windows and expiries are exact. */
export const T = 1_700_000_000_000;
/** The browser-session id the tests' grants and rules are made in. */
export const S = 'session';

// Registered when a test file imports this module, for that file: no database outlives its test.
const opened: WardenDb[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

/** The database `name`, as a worker start opens it: reopening a name sees what was written before. */
export function openDb(name: string): WardenDb {
  const d = new WardenDb(name);
  opened.push(d);
  return d;
}

/** A new, empty database (its own name: fake-indexeddb is shared by the whole worker). */
export function freshDb(prefix?: string): WardenDb {
  return openDb(uniqueDbName(prefix));
}

/** What the policy functions read as the time: `now` in session `sessionId`. */
export function clockAt(now = T, sessionId = S): PolicyClock {
  return { now, sessionId };
}

type GrantInput = Parameters<typeof createGrant>[1];

/** A grant of `rules` for `origin` and account 1, made at `at` in session S. Resolves with its id. */
export function grant(d: WardenDb, origin: string, rules: GrantInput['rules'], at = T, extra: Partial<GrantInput> = {}): Promise<number> {
  return createGrant(d, { origin, accountId: 1, rules, ...extra }, at, S);
}

export type LogRow = Omit<SigningLogEntry, 'id'>;

export function logEntry(origin: string, method: Method, createdAt: number, kind?: number, accountId = 1): LogRow {
  return { origin, accountId, method, createdAt, ...(kind === undefined ? {} : { kind }) };
}

/** appendLog must run inside a read-write transaction (the guard's); resolves with the new row's id. */
export async function appendEntry(d: WardenDb, e: LogRow): Promise<number> {
  return d.transaction('rw', d.signingLog, d.logChain, async () => {
    await appendLog(d, e);
    return (await d.signingLog.orderBy('id').last())!.id;
  });
}

/** Appends `rows` in time order in one transaction, as a run of requests would have. */
export async function appendEntries(d: WardenDb, rows: LogRow[]): Promise<void> {
  const sorted = [...rows].sort((a, b) => a.createdAt - b.createdAt);
  await d.transaction('rw', d.signingLog, d.logChain, async () => {
    for (const row of sorted) await appendLog(d, row);
  });
}
