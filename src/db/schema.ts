// The database: one Dexie class, every schema version kept, upgrades that move data.
import Dexie, { type EntityTable, type Table } from 'dexie';
import type { Account, ActivityEntry, Grant, Override, Rule, SigningLogEntry } from '../policy/records.ts';
import type { TallyRow } from './tally.ts';
import { DEFAULT_SENSITIVE_KINDS, FIRST_SENSITIVE_KINDS } from '../shared/kinds.ts';
import { chainExisting, type ChainRow } from './logChain.ts';
import { SCHEMA_V7, type BunkerClientRow, type BunkerSeenRow, type BunkerStateRow, type BunkerTokenRow } from './bunkerSchema.ts';

export interface SettingRow {
  collection: string;
  key: string;
  value: unknown;
}

export const DB_NAME = 'warden';

/**
 * Version 1 is the data model of docs/ARCHITECTURE.md (Data model). Every index that reads a site's rows starts with
 * its origin; the cap count is a key-range read on [origin+accountId+method(+kind)+createdAt].
 */
export const SCHEMA_V1 = {
  accounts: '++id, &pubkey',
  grants: '++id, [origin+accountId], origin',
  rules: '++id, grantId',
  overrides: '++id, [origin+accountId], origin',
  signingLog:
    '++id, [origin+accountId+method+createdAt], [origin+accountId+method+kind+createdAt], [origin+id], [origin+method+id], [method+id], createdAt',
  activity: '++id, [origin+id], createdAt',
  settings: '[collection+key]',
} as const;

/**
 * Version 2 (same indexes) moves data:
 * - rules get the lifecycle of grants and overrides (createdAt, expiresAt, sessionId), so a prompt
 *   answer such as "allow kind 1 for one hour" can add a rule that ends on its own; existing rules
 *   take their grant's createdAt;
 * - signing-log entries get their position in their scope (seqMethod, seqKind), which makes a cap
 *   check two index seeks instead of a count over the window.
 */
export const SCHEMA_V2 = SCHEMA_V1;

/**
 * Version 3 (same indexes): the credential kinds join the default sensitive kinds. A profile that
 * never edited its list (none stored, or the first default stored as is) gets the new default; an
 * edited list is the user's choice and stays.
 */
export const SCHEMA_V3 = SCHEMA_V1;

/**
 * Version 4 adds `logTally`: what retention pruned from the signing log, per scope and day, so a
 * cap still counts it (src/db/tally.ts). A new, empty table: nothing to move.
 */
export const SCHEMA_V4 = { ...SCHEMA_V1, logTally: '[origin+accountId+method+kind+day]' } as const;

/**
 * Version 5 adds the signing log's hash chain: a small `logChain` store (the chain head and the
 * checkpoints retention leaves), and every existing entry gets its prevHash and hash, once, in id
 * order (src/db/logChain.ts). Only this store is declared: Dexie keeps the others from the
 * versions before.
 */
export const SCHEMA_V5 = { logChain: 'key' } as const;

/**
 * Version 6: scopes beyond the kind (docs/ARCHITECTURE.md, Constraints). Rules and overrides gain
 * optional constraints (absent = none, so stored rows keep their meaning and nothing moves), and
 * the signing log an index on the person an encrypt or decrypt was judged by, so a cap on a rule
 * with `peers` is a key-range count per peer. Entries stored before it have no `peer` and are not
 * in that index; see src/db/usage.ts for how they still count. Only the signing log is declared:
 * Dexie keeps the other stores from the versions before.
 */
export const SCHEMA_V6 = {
  signingLog: `${SCHEMA_V1.signingLog}, [origin+accountId+method+peer+createdAt]`,
} as const;

export class WardenDb extends Dexie {
  accounts!: EntityTable<Account, 'id'>;
  grants!: EntityTable<Grant, 'id'>;
  rules!: EntityTable<Rule, 'id'>;
  overrides!: EntityTable<Override, 'id'>;
  signingLog!: EntityTable<SigningLogEntry, 'id'>;
  activity!: EntityTable<ActivityEntry, 'id'>;
  settings!: Table<SettingRow, [string, string]>;
  logTally!: Table<TallyRow, [string, number, string, number, number]>;
  logChain!: Table<ChainRow, string>;
  bunkerTokens!: Table<BunkerTokenRow, string>;
  bunkerClients!: Table<BunkerClientRow, string>;
  bunkerSeen!: Table<BunkerSeenRow, [string, string]>;
  bunkerState!: Table<BunkerStateRow, string>;

  constructor(name = DB_NAME) {
    // Relaxed durability: a lost last write after an OS crash is acceptable; a slow hot path is not.
    super(name, { chromeTransactionDurability: 'relaxed' });
    this.version(1).stores(SCHEMA_V1);
    this.version(2)
      .stores(SCHEMA_V2)
      .upgrade(async (tx) => {
        const grants = await tx.table<Grant>('grants').toArray();
        const createdAt = new Map(grants.map((g) => [g.id, g.createdAt]));
        await tx
          .table<Rule>('rules')
          .toCollection()
          .modify((rule) => {
            rule.createdAt ??= createdAt.get(rule.grantId) ?? 0;
            rule.expiresAt ??= null;
            rule.sessionId ??= null;
          });
        const seq = new Map<string, number>();
        const next = (key: string) => {
          const n = (seq.get(key) ?? 0) + 1;
          seq.set(key, n);
          return n;
        };
        // In (createdAt, id) order: the order the cap counts read the log in.
        return tx
          .table<SigningLogEntry>('signingLog')
          .orderBy('createdAt')
          .modify((e) => {
            const scope = JSON.stringify([e.origin, e.accountId, e.method]);
            e.seqMethod = next(scope);
            if (e.kind !== undefined && e.kind !== null) e.seqKind = next(`${scope}#${e.kind}`);
          });
      });
    this.version(3)
      .stores(SCHEMA_V3)
      .upgrade(async (tx) => {
        const row = await tx.table<SettingRow>('settings').get(['prefs', 'sensitiveKinds']);
        const stored = Array.isArray(row?.value) ? [...(row.value as number[])].sort((a, b) => a - b) : null;
        if (stored && JSON.stringify(stored) === JSON.stringify(FIRST_SENSITIVE_KINDS)) {
          await tx.table<SettingRow>('settings').put({ collection: 'prefs', key: 'sensitiveKinds', value: [...DEFAULT_SENSITIVE_KINDS] });
        }
      });
    this.version(4).stores(SCHEMA_V4);
    this.version(5).stores(SCHEMA_V5).upgrade(chainExisting);
    this.version(6).stores(SCHEMA_V6);
    // Version 7: the NIP-46 bunker's stores (src/db/bunkerSchema.ts); new and empty, nothing moves.
    this.version(7).stores(SCHEMA_V7);
  }
}

export const ALL_STORES = ['accounts', 'grants', 'rules', 'overrides', 'signingLog', 'activity', 'settings', 'logTally'] as const;
