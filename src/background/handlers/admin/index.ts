import { accountHandlers } from './accounts.ts';
import { backupHandlers } from './backup.ts';
import { bunkerHandlers } from './bunker.ts';
import { killSwitchHandlers } from './killSwitch.ts';
import { logHandlers } from './logs.ts';
import { logChainHandlers } from './verifyLog.ts';
import { permsHandlers } from './perms.ts';
import { policyHandlers } from './policies.ts';
import { promptHandlers } from './prompts.ts';
import { retentionHandlers } from './retention.ts';
import { settingsHandlers } from './settings.ts';
import { siteHandlers } from './sites.ts';
import { lockGate } from './lockGate.ts';
import type { AdminHandlers } from './types.ts';

/**
 * The admin route table: the compiler checks there is exactly one handler per protocol method.
 * The lock gate wraps it whole: while locked, what loosens is refused before any handler runs.
 */
export const adminHandlers: AdminHandlers = lockGate({
  ...accountHandlers,
  ...policyHandlers,
  ...logHandlers,
  ...promptHandlers,
  ...settingsHandlers,
  ...siteHandlers,
  ...permsHandlers,
  ...retentionHandlers,
  ...backupHandlers,
  ...killSwitchHandlers,
  ...logChainHandlers,
  ...bunkerHandlers,
});
