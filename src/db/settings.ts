// Settings rows, each key validated by its own schema on read and on write.
import { z } from 'zod';
import { DEFAULT_SENSITIVE_KINDS } from '../shared/methods.ts';
import { kindSchema } from '../shared/protocol.ts';
import type { WardenDb } from './schema.ts';

const relayMap = z.record(z.string(), z.object({ read: z.boolean(), write: z.boolean() }));

export const SETTINGS = {
  autoLockMinutes: { collection: 'prefs', schema: z.int().min(0), fallback: 30 },
  sensitiveKinds: { collection: 'prefs', schema: z.array(kindSchema), fallback: [...DEFAULT_SENSITIVE_KINDS] },
  relays: { collection: 'prefs', schema: relayMap, fallback: {} as z.infer<typeof relayMap> },
  activeAccountId: { collection: 'vault', schema: z.int().positive().nullable(), fallback: null as number | null },
  /** All signing stopped (src/background/killSwitch.ts): kept here so it outlasts every restart. */
  killSwitch: { collection: 'guard', schema: z.boolean(), fallback: false },
  passwordBackoff: { collection: 'vault', schema: z.object({ failures: z.int().min(0), until: z.int().min(0) }), fallback: { failures: 0, until: 0 } },
} as const;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = z.infer<(typeof SETTINGS)[K]['schema']>;

/** A stored value that no longer parses falls back to the default rather than failing open or crashing. */
export async function getSetting<K extends SettingKey>(db: WardenDb, key: K): Promise<SettingValue<K>> {
  const spec = SETTINGS[key];
  const row = await db.settings.get([spec.collection, key]);
  const parsed = spec.schema.safeParse(row?.value);
  return (parsed.success ? parsed.data : spec.fallback) as SettingValue<K>;
}

export async function setSetting<K extends SettingKey>(db: WardenDb, key: K, value: SettingValue<K>): Promise<void> {
  const spec = SETTINGS[key];
  await db.settings.put({ collection: spec.collection, key, value: spec.schema.parse(value) });
}
