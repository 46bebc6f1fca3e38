// The vault's state as signals shared by every component of a page: the account in use, the lock
// and the waiting requests. Fetched once at start and again whenever the background says the vault
// or the waiting requests changed (src/ui/shared/live.ts); a component that reads `.value`
// re-renders when, and only when, what it read changes.
import { computed, signal } from '@preact/signals';
import { admin } from '../shared/rpc.ts';
import { onLive } from '../shared/live.ts';
import type { AccountRow, Status } from './types.ts';

export const status = signal<Status | null>(null);
export const accounts = signal<AccountRow[]>([]);
export const pendingCount = computed(() => status.value?.pending.length ?? 0);

let started = false;

export async function refreshVault(): Promise<void> {
  const [s, list] = await Promise.all([admin('get_status'), admin('list_accounts')]);
  // Only a real change notifies subscribers (a notice may name a topic whose data stayed the same).
  if (JSON.stringify(s) !== JSON.stringify(status.peek())) status.value = s;
  if (JSON.stringify(list.accounts) !== JSON.stringify(accounts.peek())) accounts.value = list.accounts;
}

/** Fills the signals and keeps them current (once per page; later calls do nothing). */
export function startVaultUpdates(): void {
  if (started) return;
  started = true;
  void refreshVault();
  onLive(['vault', 'prompts'], () => void refreshVault().catch(() => {}));
}

/** The pages' existing name for startVaultUpdates (it used to poll). */
export const startVaultPoll = startVaultUpdates;
