// Result shapes of the admin RPC as the control pages read them (DESIGN.md §7 and the additions).
export interface Status {
  locked: boolean;
  hasAccount: boolean;
  account?: { id: number; pubkey: string; label: string };
  pending: { promptId: string; origin: string; method: string; kind?: number }[];
}

export interface AccountRow {
  id: number;
  pubkey: string;
  label: string;
  createdAt: number;
}

// The background's own shapes, so the two sides cannot drift apart (type-only: no code comes along).
export type { GrantView, RuleUsage } from '../../background/siteView.ts';
import type { GrantView } from '../../background/siteView.ts';

export interface OverrideView {
  id: number;
  origin: string;
  accountId: number;
  method: string;
  kind: number | null;
  effect: 'allow' | 'deny';
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  live?: boolean;
}

export interface ActivityRow {
  id: number;
  origin: string;
  method: string;
  kind: number | null;
  outcome: string;
  reason: string;
  createdAt: number;
}

export interface LogRow {
  id: number;
  origin: string;
  accountId: number;
  method: string;
  kind: number | null;
  createdAt: number;
  eventId?: string;
}

export interface SiteView {
  origin: string;
  accountId: number | null;
  grants: GrantView[];
  overrides: OverrideView[];
  paused: boolean;
  activity: ActivityRow[];
}

export interface Explanation {
  outcome: 'allow' | 'deny' | 'ask' | 'cap_exceeded';
  askReason: 'no_rule' | 'cap_reached' | null;
  decidedBy: { type: 'rule'; id: number; grantId: number } | { type: 'override'; id: number } | null;
  reason: string;
  caps: { ruleId: number; grantId: number; maxUsageCount: number; windowSeconds: number | null; used: number; left: number; freesAt: number | null }[];
  vault: 'locked' | 'unlocked';
}
