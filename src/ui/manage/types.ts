// The shapes the popup and options pages read: the admin RPC's own result types (src/shared/adminResults.ts).
export type {
  ActivityEntry as ActivityRow,
} from '../../policy/records.ts';
export type {
  Explanation,
  GrantView,
  LogRow,
  OverrideView,
  Page,
  PublicAccount as AccountRow,
  RestorePlan,
  RuleUsage,
  SiteView,
  Status,
} from '../../shared/adminResults.ts';
