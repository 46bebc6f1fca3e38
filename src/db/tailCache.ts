// The newest signing-log entry of each scope, kept in memory. The background is the log's only
// writer and every append goes through it, so after the first read of a scope the tail is known
// without a seek. A failed transaction empties the cache (the next request reads again).
import type { Method } from '../shared/methods.ts';
import type { WardenDb } from './schema.ts';
import { readTail, type EntryTails, type Tail } from './signingLog.ts';

const MAX_SCOPES = 4_096;

interface Scope {
  origin: string;
  accountId: number;
  method: Method;
  kind: number | null;
}

export class TailCache {
  private readonly tails = new Map<string, Tail | null>();

  private key(s: Scope): string {
    return `${s.accountId} ${s.method} ${s.kind ?? '*'} ${s.origin}`;
  }

  async get(db: WardenDb, scope: Scope): Promise<Tail | null> {
    const key = this.key(scope);
    if (this.tails.has(key)) return this.tails.get(key)!;
    const tail = await readTail(db, scope);
    if (this.tails.size >= MAX_SCOPES) this.tails.clear();
    this.tails.set(key, tail);
    return tail;
  }

  async forEntry(db: WardenDb, scope: Scope): Promise<EntryTails> {
    const [method, kind] = await Promise.all([this.get(db, { ...scope, kind: null }), scope.kind === null ? null : this.get(db, scope)]);
    return { method, kind };
  }

  /** Called with what appendLog returned, inside the appending transaction. */
  advance(scope: Scope, tails: EntryTails): void {
    this.tails.set(this.key({ ...scope, kind: null }), tails.method);
    if (scope.kind !== null) this.tails.set(this.key(scope), tails.kind);
  }

  clear(): void {
    this.tails.clear();
  }
}
