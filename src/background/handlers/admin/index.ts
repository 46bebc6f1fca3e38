import { accountHandlers } from './accounts.ts';
import { backupHandlers } from './backup.ts';
import { controlHandlers } from './control.ts';
import { logHandlers } from './logs.ts';
import { policyHandlers } from './policies.ts';
import { promptHandlers } from './prompts.ts';
import { settingsHandlers } from './settings.ts';
import type { AdminHandlers } from './types.ts';

/** The admin route table: the compiler checks there is exactly one handler per protocol method. */
export const adminHandlers: AdminHandlers = {
  ...accountHandlers,
  ...policyHandlers,
  ...logHandlers,
  ...promptHandlers,
  ...settingsHandlers,
  // Popup and options pages (issue 4).
  ...controlHandlers,
  ...backupHandlers,
};
