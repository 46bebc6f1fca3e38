// The wire contract: every message that crosses a boundary is parsed by a schema from this file.
import { z } from 'zod';
import type { Method } from './methods.ts';
import { OUTCOMES } from '../policy/records.ts';
import { constraintSchemas, hex64, idSchema, kindSchema, LIMITS, methodSchema, nip04Payload, nip44Payload, originSchema, peerPubkey, targetSchema } from './schemaParts.ts';

export { hex64, idSchema, kindSchema, LIMITS, methodSchema, originSchema, peerPubkey };

const utf8 = new TextEncoder();

// ---- NIP-07 requests (content bridge → background) -------------------------------------

export const eventTemplateSchema = z
  .object({
    kind: kindSchema,
    content: z.string(),
    tags: z.array(z.array(z.string())).max(LIMITS.tags),
    created_at: z.int().min(0).max(2 ** 32 - 1).optional(),
    pubkey: hex64.optional(),
    // A stale id or sig is ignored: the background computes both itself.
    id: z.unknown().optional(),
    sig: z.unknown().optional(),
  })
  .refine((e) => utf8.encode(JSON.stringify(e)).length <= LIMITS.eventJsonBytes, {
    message: `event larger than ${LIMITS.eventJsonBytes} bytes`,
  });
export type EventTemplateInput = z.infer<typeof eventTemplateSchema>;

const encryptParams = z.strictObject({ pubkey: peerPubkey, plaintext: z.string().max(LIMITS.plaintextChars) });
const decryptParams = (payload: z.ZodString) => z.strictObject({ pubkey: peerPubkey, ciphertext: payload.max(LIMITS.ciphertextChars) });
const noParams = z.strictObject({});

/** Each method's params: a method without a schema here fails to compile. */
export const nip07ParamSchemas = {
  get_public_key: noParams,
  get_relays: noParams,
  sign_event: z.strictObject({ event: eventTemplateSchema }),
  nip04_encrypt: encryptParams,
  nip04_decrypt: decryptParams(nip04Payload),
  nip44_encrypt: encryptParams,
  nip44_decrypt: decryptParams(nip44Payload),
} as const satisfies { readonly [M in Method]: z.ZodType };

export type Nip07Params = { [M in Method]: z.infer<(typeof nip07ParamSchemas)[M]> };
/** A validated window.nostr request: the method and its params, tied together. */
export type Nip07Request<M extends Method = Method> = { [K in M]: { method: K; params: Nip07Params[K] } }[M];

// Seen through this type, indexing by a generic method keeps the method and its params tied,
// so the parsed request needs no cast.
const paramSchemaOf: { readonly [M in Method]: z.ZodType<Nip07Params[M]> } = nip07ParamSchemas;

/** Validates a method's params; the request it returns has the method and its params tied. */
export function parseNip07Request<M extends Method>(method: M, params: unknown): { ok: true; request: Nip07Request<M> } | { ok: false; error: z.ZodError } {
  const parsed = paramSchemaOf[method].safeParse(params);
  if (!parsed.success) return { ok: false, error: parsed.error };
  const request: { method: M; params: Nip07Params[M] } = { method, params: parsed.data };
  return { ok: true, request };
}

export const nip07EnvelopeSchema = z.strictObject({
  type: z.literal('nip07'),
  id: z.string().min(8).max(LIMITS.requestIdChars),
  method: methodSchema,
  params: z.unknown(),
  /** Set by the bridge when it sends a request again whose answer a stopped worker lost. */
  resent: z.literal(true).optional(),
});

// ---- admin RPC (extension pages → background; docs/ARCHITECTURE.md, Wire contract) -------

const nullable = <T extends z.ZodType>(schema: T) => schema.nullable().optional();
const maxUsageCount = z.int().min(1).max(1_000_000_000);
const windowSeconds = z.int().min(1).max(100 * 365 * 24 * 3600);
const time = z.int().min(0);
const password = z.string().min(1).max(1_024);
/** A password that will protect keys at rest: guessing it must not be cheap (docs/THREATS.md #33). */
export const MIN_PASSWORD_CHARS = 8;
const newPassword = z.string().min(MIN_PASSWORD_CHARS, `at least ${MIN_PASSWORD_CHARS} characters`).max(1_024);
const label = z.string().max(100);

export const ruleInputSchema = z.strictObject({
  method: methodSchema,
  kind: nullable(kindSchema),
  maxUsageCount: nullable(maxUsageCount),
  windowSeconds: nullable(windowSeconds),
  // Scopes beyond the kind: which fits which method is checked at write time (src/db/policy.ts).
  ...constraintSchemas,
});
export type RuleInput = z.infer<typeof ruleInputSchema>;

export const durationSchema = z.union([z.int().min(1).max(100 * 365 * 24 * 3600), z.null(), z.literal('session')]);
export type Duration = z.infer<typeof durationSchema>;

const pageLimit = z.int().min(1).max(1_000);

// ---- Methods the popup, options and welcome pages added. Additions only: no method above changes.
const retentionDays = z.int().min(1).max(100 * 365).nullable().optional();
/** A backup file is validated by its own schema (src/db/backupFile.ts); here only its size is bounded. */
const backupBlob = z.string().min(2).max(20 * 1024 * 1024);

export const pageParamSchemas = {
  /** What the guard would decide now for (origin, method, kind), without crypto or logging. */
  explain_request: z.strictObject({ origin: originSchema, method: methodSchema, kind: nullable(kindSchema), accountId: idSchema.optional(), target: targetSchema.optional() }),
  rename_account: z.strictObject({ accountId: idSchema, label: label.min(1) }),
  /** Locks and wipes that account's key; its live grants and overrides are revoked. Needs the vault password (and an unlocked vault). */
  delete_account: z.strictObject({ accountId: idSchema, password }),
  /** The site a tab last made a request from (the popup's "current site" without the tabs permission). */
  get_tab_site: z.strictObject({ tabId: z.int().min(0) }),
  /** Deny overrides for every method of a site ("pause"), and lifting every method-wide deny. */
  pause_site: z.strictObject({ origin: originSchema, expiresAt: nullable(time) }),
  resume_site: z.strictObject({ origin: originSchema }),
  query_activity: z.strictObject({
    origin: originSchema.optional(),
    method: methodSchema.optional(),
    outcome: z.enum(OUTCOMES).optional(),
    before: idSchema.optional(),
    limit: pageLimit,
  }),
  export_perms: z.strictObject({ grantId: idSchema }),
  import_perms: z.strictObject({ origin: originSchema, perms: z.string().max(10_000), accountId: idSchema.optional() }),
  get_retention: z.strictObject({}),
  set_retention: z.strictObject({ activityDays: retentionDays, signingLogDays: retentionDays }),
  prune_now: z.strictObject({}),
  backup_export: z.strictObject({ password }),
  restore_preview: z.strictObject({ backup: backupBlob }),
  restore_apply: z.strictObject({ backup: backupBlob, password: newPassword, acceptLoosening: z.boolean().optional(), planId: z.string().max(128).optional() }),
  /** One site as the popup shows it: grants with usage and when windows free, overrides, paused, latest activity. */
  get_site_view: z.strictObject({ origin: originSchema, activityLimit: z.int().min(0).max(50).optional() }),
  /** Every origin that has a grant or an override. */
  list_sites: z.strictObject({}),
  /** The kill switch: on refuses every web-page request; off needs the vault unlocked. */
  set_kill_switch: z.strictObject({ on: z.boolean() }),
  /** Walks the signing log's hash chain (docs/ARCHITECTURE.md, Signing-log hash chain). */
  verify_log: z.strictObject({}),
  /** get_signing_log with every stored field and the chain: what the JSON Lines export writes. */
  export_signing_log: z.strictObject({
    origin: originSchema.optional(),
    method: methodSchema.optional(),
    before: idSchema.optional(),
    limit: pageLimit,
  }),
} as const;

// ---- The NIP-46 bunker (docs/ARCHITECTURE.md, Remote signing) ---------------------------

/** A relay the bunker may use: ws(s) only, at most 512 characters. */
export const relayUrlSchema = z
  .string()
  .max(512)
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'wss:' || url.protocol === 'ws:';
    } catch {
      return false;
    }
  }, 'expected a ws:// or wss:// relay URL');
const relayList = z.array(relayUrlSchema).min(1).max(10);

export const bunkerParamSchemas = {
  bunker_start: z.strictObject({ relays: relayList.optional() }),
  bunker_stop: z.strictObject({}),
  bunker_status: z.strictObject({}),
  create_connect_token: z.strictObject({
    rules: z.array(ruleInputSchema).min(1).max(200),
    expiresAt: nullable(time),
    uses: z.int().min(1).max(1_000).optional(),
    label: label.optional(),
  }),
  accept_nostrconnect: z.strictObject({ uri: z.string().min(1).max(4_096), rules: z.array(ruleInputSchema).max(200).optional() }),
  // `{ token }` as the contract has it; `{ hash }` (as list_connect_tokens shows) is an addition, for a token whose secret is gone.
  revoke_connect_token: z.union([z.strictObject({ token: hex64 }), z.strictObject({ hash: hex64 })]),
  // Additions for the options page: the tokens not yet spent, and cutting a client off.
  list_connect_tokens: z.strictObject({}),
  end_remote_client: z.strictObject({ pubkey: hex64 }),
} as const;

/** A NIP-46 request as the decrypted content of a kind-24133 event carries it. */
export const nip46RequestSchema = z.object({
  id: z.string().min(1).max(LIMITS.requestIdChars),
  method: z.string().min(1).max(64),
  // connect carries up to four: the bunker pubkey, the secret, the perms and the client's metadata.
  params: z.array(z.string().max(LIMITS.eventJsonBytes)).max(4),
});
export type Nip46Request = z.infer<typeof nip46RequestSchema>;

export const adminParamSchemas = {
  get_status: z.strictObject({}),
  create_account: z.strictObject({ password: newPassword, label: label.optional() }),
  import_account: z.strictObject({ secret: z.string().min(1).max(1_024), password: newPassword, label: label.optional() }),
  list_accounts: z.strictObject({}),
  select_account: z.strictObject({ accountId: idSchema }),
  export_account: z.strictObject({ accountId: idSchema, password }),
  unlock: z.strictObject({ password }),
  lock: z.strictObject({}),
  get_policies: z.strictObject({ origin: originSchema.optional() }),
  grant: z.strictObject({
    origin: originSchema,
    accountId: idSchema.optional(),
    rules: z.array(ruleInputSchema).max(200),
    expiresAt: nullable(time),
    onCapReached: z.enum(['deny', 'ask']).optional(),
  }),
  add_policy_rule: ruleInputSchema.extend({ grantId: idSchema }),
  update_policy_rule: z.strictObject({
    ruleId: idSchema,
    method: methodSchema.optional(),
    kind: nullable(kindSchema),
    maxUsageCount: nullable(maxUsageCount),
    windowSeconds: nullable(windowSeconds),
    ...constraintSchemas,
  }),
  delete_policy_rule: z.strictObject({ ruleId: idSchema }),
  revoke_grant: z.strictObject({ grantId: idSchema }),
  set_override: z.strictObject({
    origin: originSchema,
    method: methodSchema,
    kind: nullable(kindSchema),
    effect: z.enum(['allow', 'deny']),
    expiresAt: nullable(time),
    ...constraintSchemas,
  }),
  revoke_override: z.strictObject({ overrideId: idSchema }),
  get_signing_log: z.strictObject({
    origin: originSchema.optional(),
    method: methodSchema.optional(),
    before: idSchema.optional(),
    limit: pageLimit,
  }),
  get_activity: z.strictObject({ origin: originSchema.optional(), before: idSchema.optional(), limit: pageLimit }),
  resolve_prompt: z.strictObject({
    promptId: z.string().min(1).max(64),
    decision: z.enum(['allow', 'deny']),
    // 'peer' / 'relay' / 'url': "always for this person / relay / URL" (docs/ARCHITECTURE.md, Constraints).
    scope: z.enum(['once', 'kind', 'method', 'peer', 'relay', 'url']).optional(),
    durationSeconds: durationSchema.optional(),
    cap: z.strictObject({ maxUsageCount, windowSeconds }).optional(),
    applyToAllFromOrigin: z.boolean().optional(),
    // An addition: answer a site's first contact with a named grant (src/policy/presets.ts).
    preset: z.enum(['pubkey_only', 'social', 'dm_client']).optional(),
    // Also answer the waiting requests that look the same (same site, account, method, kind, peer).
    applyToSimilar: z.boolean().optional(),
    // The prompt ids on screen when the person answered: a bulk answer settles none but these.
    promptIds: z.array(z.string().min(1).max(64)).max(1_000).optional(),
  }),
  // Additions: what the prompt page needs to show, and the settings (docs/ARCHITECTURE.md, Settings).
  get_prompt: z.strictObject({ promptId: z.string().min(1).max(64) }),
  list_prompts: z.strictObject({ windowId: z.int().optional() }),
  get_settings: z.strictObject({}),
  set_settings: z.strictObject({
    autoLockMinutes: z.int().min(0).max(7 * 24 * 60).optional(),
    relays: z.record(z.string().max(512), z.strictObject({ read: z.boolean(), write: z.boolean() })).optional(),
    sensitiveKinds: z.array(kindSchema).max(1_000).optional(),
  }),
  ...pageParamSchemas,
  ...bunkerParamSchemas,
} as const;

export type AdminMethod = keyof typeof adminParamSchemas;
export type AdminParams<M extends AdminMethod> = z.infer<(typeof adminParamSchemas)[M]>;
/** What a caller may send for a method (before defaults and refinements apply). */
export type AdminInput<M extends AdminMethod> = z.input<(typeof adminParamSchemas)[M]>;

export const adminEnvelopeSchema = z.strictObject({
  type: z.literal('admin'),
  method: z.string(),
  params: z.unknown().optional(),
});

export function isAdminMethod(method: string): method is AdminMethod {
  return Object.hasOwn(adminParamSchemas, method);
}
