// What each admin method answers, as the pages read it. The background's route table is typed
// against this (a handler returning another shape fails `npm run typecheck`), and the pages'
// client returns it — so the two sides cannot drift apart. Type-only: no code here.
import type { Method } from './methods.ts';
import type { Perm } from './perms.ts';
import type { ActivityEntry, CapReachedAction, Effect, Override, Rule } from '../policy/records.ts';
import type { Impact } from '../policy/impact.ts';
import type { Constraints, RequestTarget } from '../policy/constraints.ts';

/** A keyset page: newest first; `next` is the id to pass as `before` for the following page. */
export interface Page<T> {
  entries: T[];
  next?: number;
}

export interface PublicAccount {
  id: number;
  pubkey: string;
  label: string;
  createdAt: number;
}

export interface Status {
  locked: boolean;
  hasAccount: boolean;
  account?: { id: number; pubkey: string; label: string };
  /** When this worker (or event page) started: a restart shows as a new value. */
  workerStartedAt: number;
  pending: { promptId: string; origin: string; method: Method; kind?: number }[];
  /** All signing stopped: every web-page request is refused (set_kill_switch). */
  killSwitch: boolean;
}

/** A grant's own fields, as every result shows them (absent times as null). */
export interface GrantFields {
  id: number;
  origin: string;
  accountId: number;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  onCapReached: CapReachedAction;
}

/** A rule's fields as results show them; its constraints with absent ones as null. */
export interface RuleFields extends Required<Constraints> {
  id: number;
  method: Method;
  kind: number | null;
  maxUsageCount: number | null;
  windowSeconds: number | null;
  createdAt: number;
  expiresAt: number | null;
}

/** A rule with its live usage, as the popup and options pages show it. */
export interface RuleUsage extends RuleFields {
  live: boolean;
  used: number;
  /** When the count next drops: the oldest entry in the window leaves it (for a spent cap: enough leave to go below it). */
  freesAt: number | null;
}

export interface GrantView extends GrantFields {
  live: boolean;
  rules: RuleUsage[];
}

/** An override as results show it: its stored fields, absent times as null. */
export type OverrideView = Omit<Override, 'expiresAt' | 'revokedAt' | 'sessionId'> & { expiresAt: number | null; revokedAt: number | null };

/** How pages name a remote (NIP-46) client: the name it gave when it connected, and its key. */
export interface RemoteLabel {
  name: string | null;
  npub: string;
}

export interface SiteView {
  origin: string;
  accountId: number | null;
  grants: GrantView[];
  overrides: (OverrideView & { live: boolean })[];
  paused: boolean;
  activity: ActivityEntry[];
  /** For a remote (NIP-46) client: the name it gave and its key. */
  remote?: RemoteLabel;
}

export interface CapUsage {
  ruleId: number;
  grantId: number;
  maxUsageCount: number;
  windowSeconds: number | null;
  used: number;
  left: number;
  /** When the count next drops (for a spent cap: below the cap); null if nothing is in the window or it never frees (lifetime). */
  freesAt: number | null;
}

export interface Explanation {
  outcome: 'allow' | 'deny' | 'ask' | 'cap_exceeded';
  /** For 'ask': no rule covers the request, or a cap is spent on a grant that asks. */
  askReason: 'no_rule' | 'cap_reached' | null;
  decidedBy: { type: 'rule'; id: number; grantId: number } | { type: 'override'; id: number } | null;
  /** The same sentence the activity log records for this decision. */
  reason: string;
  /** The constraints of the rule or override that decided (or whose cap is spent); null if none did. */
  constraints: Required<Constraints> | null;
  /** Every cap that counts this request, with its live usage. */
  caps: CapUsage[];
}

/** What the prompt shows: the very copy that will be signed, or the peer of an encrypt/decrypt. */
export type PromptDetails =
  | { type: 'event'; event: { kind: number; content: string; tags: string[][]; created_at: number; pubkey: string; id: string } }
  /** `plaintext`: an encrypt's text to be encrypted (never a decrypt's, never in storage.session). */
  | {
      type: 'peer';
      pubkey: string;
      plaintext?: string;
      /** A NIP-17 layer: whose direct message it is (the seal's sender), found by the background (docs/THREATS.md #51). */
      dm?: { layer: 'wrap' | 'seal'; sender: string };
    }
  | { type: 'none' };

/** A waiting request as the prompt page shows it. */
export interface PromptView {
  promptId: string;
  origin: string;
  method: Method;
  kind: number | null;
  kindName: string | null;
  sensitive: boolean;
  reason: string;
  details: PromptDetails;
  createdAt: number;
  topOrigin: string | null;
  need: 'unlock' | 'account' | null;
  /** Requests with the same `group` look the same; with the same `siteGroup`, one site (the background's grouping). */
  group: string;
  siteGroup: string | null;
  /** Whether a bulk answer ("also answer…", "apply to all…") may settle it: never a sensitive kind. */
  bulk: boolean;
  firstContact: boolean;
  /** The account that would sign or encrypt (absent while the vault has none to name). */
  account?: { label: string; npub: string };
  /** What the request is aimed at: which "always for this person / relay / URL" the prompt offers. */
  target: RequestTarget | null;
  /** A remote (NIP-46) client's request: the name the client gave (its own claim) and its key. */
  remote?: RemoteLabel;
}

// The signing log's pages, its chain and retention: in logResults.ts, re-exported here.
export type { ChainedLogRow, ExportPage, LogCheckpoint, LogRow, LogVerification, PruneResult, Retention } from './logResults.ts';
import type { ExportPage, LogRow, LogVerification, PruneResult, Retention } from './logResults.ts';

/** One labelling for the restore plan and the lock gate (src/policy/impact.ts). */
export type { Impact };

export interface PlanRule {
  method: Method;
  kind: number | null;
  maxUsageCount: number | null;
  windowSeconds: number | null;
  expiresAt: number | null;
}

export type Change = { impact: Impact; text: string } & (
  | { type: 'add_account'; pubkey: string; label: string }
  | { type: 'add_grant'; origin: string; account: string; rules: PlanRule[]; expiresAt: number | null; onCapReached: CapReachedAction }
  | { type: 'add_rule'; origin: string; account: string; rule: PlanRule }
  | { type: 'cap_reached_deny'; origin: string; account: string }
  | { type: 'add_override'; origin: string; account: string; method: Method; kind: number | null; effect: Effect; expiresAt: number | null; constraints?: Required<Constraints> }
  | { type: 'setting'; key: 'autoLockMinutes' | 'sensitiveKinds' | 'relays' | 'retention'; value: unknown }
);

export interface RestorePlan {
  /** A fingerprint of the policy changes: apply refuses if the policy moved since the preview. */
  planId: string;
  changes: Change[];
  /** What the backup holds that is not applied because the local policy is as strict or stricter. */
  kept: string[];
}

export type Relays = Record<string, { read: boolean; write: boolean }>;

type Empty = Record<string, never>;

/** The bunker's state as the options page shows it (docs/ARCHITECTURE.md, Remote signing). */
export interface BunkerStatus {
  running: boolean;
  relays: { url: string; connected: boolean }[];
  clients: { origin: string; name?: string; connectedAt: number }[];
}

/** A connect token not yet spent, revoked or expired: never its secret, which only create_connect_token shows. */
export interface ConnectTokenView {
  hash: string;
  label: string;
  uses: number;
  used: number;
  createdAt: number;
  expiresAt: number | null;
}

/** Every admin method's result. A method missing here fails to compile in the route table. */
export interface AdminResults {
  get_status: Status;
  create_account: { accountId: number; pubkey: string };
  import_account: { accountId: number; pubkey: string };
  list_accounts: { accounts: PublicAccount[] };
  select_account: Empty;
  export_account: { ncryptsec: string };
  unlock: Empty;
  lock: Empty;
  get_policies: { grants: (GrantFields & { rules: (RuleFields & { used: number })[] })[]; overrides: OverrideView[] };
  grant: { grantId: number };
  add_policy_rule: Rule;
  update_policy_rule: Rule;
  delete_policy_rule: Empty;
  revoke_grant: Empty;
  set_override: { overrideId: number };
  revoke_override: Empty;
  get_signing_log: Page<LogRow>;
  get_activity: Page<ActivityEntry>;
  resolve_prompt: Empty;
  get_prompt: PromptView;
  list_prompts: { prompts: PromptView[] };
  get_settings: { autoLockMinutes: number; relays: Relays; sensitiveKinds: number[] };
  set_settings: Empty;
  explain_request: Explanation & { accountId: number; vault: 'locked' | 'unlocked' };
  rename_account: PublicAccount;
  delete_account: Empty;
  get_tab_site: { origin: string | null };
  pause_site: { overrideIds: number[] };
  resume_site: { lifted: number };
  query_activity: Page<ActivityEntry>;
  /** `notCarried`: live rules with constraints, which a perms string cannot express and so leaves out. */
  export_perms: { perms: string; capped: number; notCarried: ({ method: Method; kind: number | null } & Required<Constraints>)[] };
  import_perms: { grantId: number; added: { id: number; method: Method; kind: number | null }[]; present: Perm[] };
  get_retention: Retention;
  set_retention: Retention;
  prune_now: PruneResult;
  backup_export: { backup: string };
  restore_preview: RestorePlan;
  restore_apply: { applied: number; skipped: number; accountsAdded: number };
  get_site_view: SiteView;
  list_sites: { origins: string[] };
  set_kill_switch: { killSwitch: boolean };
  verify_log: LogVerification;
  export_signing_log: ExportPage;
  bunker_start: { bunkerPubkey: string; relays: string[] };
  bunker_stop: Empty;
  bunker_status: BunkerStatus;
  create_connect_token: { token: string; bunkerUrl: string };
  accept_nostrconnect: { origin: string };
  revoke_connect_token: Empty;
  list_connect_tokens: { tokens: ConnectTokenView[] };
  end_remote_client: Empty;
}
