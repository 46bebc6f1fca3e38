// The hot path's read of grants, rules, overrides and settings, kept in memory between writes.
// Every write to those tables goes through Dexie in this context and fires a hook that empties
// the cache, so the next request reads the change ("takes effect on the very next request").
import type { PolicyRecords } from '../policy/decide.ts';
import { loadPolicyRecords } from './policy.ts';
import type { WardenDb } from './schema.ts';

const MAX_ENTRIES = 256;

export class PolicyCache {
  private readonly entries = new Map<string, PolicyRecords>();
  private generation = 0;

  constructor(private readonly db: WardenDb) {
    const invalidate = () => this.invalidate();
    for (const table of [db.grants, db.rules, db.overrides, db.settings] as const) {
      (table.hook as (event: 'creating' | 'updating' | 'deleting', fn: () => void) => void)('creating', invalidate);
      (table.hook as (event: 'creating' | 'updating' | 'deleting', fn: () => void) => void)('updating', invalidate);
      (table.hook as (event: 'creating' | 'updating' | 'deleting', fn: () => void) => void)('deleting', invalidate);
    }
  }

  invalidate(): void {
    this.generation += 1;
    this.entries.clear();
  }

  /**
   * A write to the policy tables empties the cache as it happens, so a request that starts after
   * a write has returned reads the new policy.
   */
  async load(origin: string, accountId: number, now: number): Promise<PolicyRecords> {
    const key = `${accountId} ${origin}`;
    const hit = this.entries.get(key);
    if (hit) return hit;
    const generation = this.generation;
    const { db } = this;
    // One read-only transaction (nested in the guard's when there is one): a consistent view.
    const records = await db.transaction('r', [db.grants, db.rules, db.overrides, db.settings], async () => loadPolicyRecords(db, origin, accountId, now));
    if (generation === this.generation) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(key, records);
    }
    return records;
  }
}
