// The backup file: keys (NIP-49 ncryptsec only, never a plain secret) and the live policy in one
// JSON document, validated by zod on restore. Accounts are named by pubkey, not by local id, so
// a backup restores into any profile.
import { z } from 'zod';
import { hex64, kindSchema, methodSchema, originSchema } from '../shared/protocol.ts';
import { constraintSchemas } from '../shared/schemaParts.ts';
import { constraintFields } from '../policy/constraints.ts';
import { isLive } from '../policy/live.ts';
import type { PolicyClock } from '../policy/decide.ts';
import type { WardenDb } from './schema.ts';
import { getSetting } from './settings.ts';
import { getRetention } from './retention.ts';

const time = z.int().min(0);
const ncryptsec = z.string().regex(/^ncryptsec1[02-9ac-hj-np-z]{20,400}$/, 'not an ncryptsec (NIP-49)');

export const backupRuleSchema = z.strictObject({
  method: methodSchema,
  kind: kindSchema.nullable(),
  maxUsageCount: z.int().min(1).max(1_000_000_000).nullable(),
  windowSeconds: z.int().min(1).max(100 * 365 * 24 * 3600).nullable(),
  expiresAt: time.nullable(),
  // Optional: a backup made before constraints restores as it was; one made after keeps them, so
  // a restore never widens a rule that names its peers, relays or URLs.
  ...constraintSchemas,
});
export type BackupRule = z.infer<typeof backupRuleSchema>;

export const backupSchema = z.strictObject({
  format: z.literal('warden-backup'),
  version: z.literal(1),
  createdAt: time,
  accounts: z.array(z.strictObject({ pubkey: hex64, label: z.string().max(100), ncryptsec, createdAt: time })).max(100),
  grants: z
    .array(
      z.strictObject({
        origin: originSchema,
        account: hex64,
        createdAt: time,
        expiresAt: time.nullable(),
        onCapReached: z.enum(['deny', 'ask']),
        rules: z.array(backupRuleSchema).max(200),
      }),
    )
    .max(10_000),
  overrides: z
    .array(
      z.strictObject({
        origin: originSchema,
        account: hex64,
        method: methodSchema,
        kind: kindSchema.nullable(),
        effect: z.enum(['allow', 'deny']),
        createdAt: time,
        expiresAt: time.nullable(),
        ...constraintSchemas,
      }),
    )
    .max(10_000),
  settings: z.strictObject({
    autoLockMinutes: z.int().min(0).max(7 * 24 * 60),
    sensitiveKinds: z.array(kindSchema).max(1_000),
    relays: z.record(z.string().max(512), z.strictObject({ read: z.boolean(), write: z.boolean() })),
    retention: z.strictObject({ activityDays: z.int().min(1).nullable(), signingLogDays: z.int().min(1).nullable() }),
  }),
});
export type Backup = z.infer<typeof backupSchema>;

/** Parses a backup file's text; any problem is one readable line (never echoing key material). */
export function parseBackup(text: string): { ok: true; backup: Backup } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const parsed = backupSchema.safeParse(json);
  if (parsed.success) return { ok: true, backup: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, error: issue ? `${issue.path.join('.') || 'file'}: ${issue.message}` : 'invalid backup' };
}

/**
 * The live policy (grants, their live rules, overrides — "until the browser closes" ones are
 * left out: they end with this session) and the keys as stored (ncryptsec).
 */
export async function buildBackup(db: WardenDb, clock: PolicyClock): Promise<Backup> {
  return db.transaction('r', [db.accounts, db.grants, db.rules, db.overrides, db.settings], async () => {
    const live = <T extends { createdAt: number; sessionId?: string | null }>(r: T & { expiresAt?: number | null; revokedAt?: number | null }) =>
      isLive(r, clock.now, clock.sessionId) && r.sessionId == null;
    const accounts = await db.accounts.orderBy('id').toArray();
    const pubkeyOf = new Map(accounts.map((a) => [a.id, a.pubkey]));
    const grants = (await db.grants.toArray()).filter((g) => live(g) && pubkeyOf.has(g.accountId));
    const rules = grants.length ? await db.rules.where('grantId').anyOf(grants.map((g) => g.id)).toArray() : [];
    const overrides = (await db.overrides.toArray()).filter((o) => live(o) && pubkeyOf.has(o.accountId));
    return {
      format: 'warden-backup' as const,
      version: 1 as const,
      createdAt: clock.now,
      accounts: accounts.map(({ pubkey, label, ncryptsec: n, createdAt }) => ({ pubkey, label, ncryptsec: n, createdAt })),
      grants: grants.map((g) => ({
        origin: g.origin,
        account: pubkeyOf.get(g.accountId)!,
        createdAt: g.createdAt,
        expiresAt: g.expiresAt ?? null,
        onCapReached: g.onCapReached,
        rules: rules
          .filter((r) => r.grantId === g.id && live(r))
          .map((r) => ({ method: r.method, kind: r.kind, maxUsageCount: r.maxUsageCount, windowSeconds: r.windowSeconds, expiresAt: r.expiresAt ?? null, ...constraintFields(r) })),
      })),
      overrides: overrides.map((o) => ({
        origin: o.origin,
        account: pubkeyOf.get(o.accountId)!,
        method: o.method,
        kind: o.kind,
        effect: o.effect,
        createdAt: o.createdAt,
        expiresAt: o.expiresAt ?? null,
        ...constraintFields(o),
      })),
      settings: {
        autoLockMinutes: await getSetting(db, 'autoLockMinutes'),
        sensitiveKinds: await getSetting(db, 'sensitiveKinds'),
        relays: await getSetting(db, 'relays'),
        retention: await getRetention(db),
      },
    };
  });
}
