// The vault's state as signals shared by every component of a page: the account in use, the lock
// and the waiting requests. One poller feeds them (about once a second while the page is visible,
// and at once on the background's 'prompts-changed'); a component that reads `.value` re-renders
// when, and only when, what it read changes.
import { computed, signal } from '@preact/signals';
import { admin, onPromptsChanged } from '../shared/rpc.ts';
import type { AccountRow, Status } from './types.ts';

export const status = signal<Status | null>(null);
export const accounts = signal<AccountRow[]>([]);
export const pendingCount = computed(() => status.value?.pending.length ?? 0);

let started = false;

export async function refreshVault(): Promise<void> {
  const [s, list] = await Promise.all([admin('get_status'), admin('list_accounts')]);
  // Only a real change notifies subscribers (the poll would otherwise re-render every second).
  if (JSON.stringify(s) !== JSON.stringify(status.peek())) status.value = s;
  if (JSON.stringify(list.accounts) !== JSON.stringify(accounts.peek())) accounts.value = list.accounts;
}

export function startVaultPoll(intervalMs = 1_000): void {
  if (started) return;
  started = true;
  void refreshVault();
  setInterval(() => {
    if (document.visibilityState === 'visible') void refreshVault().catch(() => {});
  }, intervalMs);
  onPromptsChanged(() => void refreshVault().catch(() => {}));
}
