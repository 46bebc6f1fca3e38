// While the vault is locked (or holds no key) the background refuses what would loosen the policy
// (docs/THREATS.md #31). The pages say so beside each such control instead of letting it fail:
// the control is disabled and a short note says why; tightening controls stay as they are.
import { computed } from '@preact/signals';
import { status } from './store.ts';

/** True while loosening calls would be refused: locked, or no key at all. */
export const loosenLocked = computed(() => status.value?.locked ?? false);

export const UNLOCK_TO_LOOSEN = 'Unlock to loosen';

/** The note beside a control that is disabled while locked. `what` names it for screen readers. */
export function UnlockNote({ testid, text = UNLOCK_TO_LOOSEN, show = true }: { testid: string; text?: string; show?: boolean }) {
  if (!loosenLocked.value || !show) return null;
  return (
    <span class="w-locked-note" data-testid={testid} title="While the signer is locked, it refuses what would allow more, keep less of the log or delete data">
      {text}
    </span>
  );
}
