// The popup's first control: stop every site's requests at once, or resume (docs/ARCHITECTURE.md,
// Kill switch). Stopping works in any state; resuming needs the vault unlocked, so the button says
// why it cannot while locked. The keyboard shortcut is read from the browser, which owns it (the
// person may have changed or removed it).
import { useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import { Button, ErrorText } from '../components/index.tsx';
import { useAction } from '../components/hooks.ts';
import { refreshVault, status } from '../manage/store.ts';
import { admin } from '../shared/rpc.ts';
import { STOP_SIGNING_COMMAND } from '../../shared/commands.ts';

/** The shortcut as the browser has it now: '' when none is set, null while unknown. */
function useStopShortcut(): string | null {
  const [shortcut, setShortcut] = useState<string | null>(null);
  useEffect(() => {
    browser.commands.getAll().then(
      (all) => setShortcut(all.find((c) => c.name === STOP_SIGNING_COMMAND)?.shortcut ?? ''),
      () => setShortcut(''),
    );
  }, []);
  return shortcut;
}

export function KillSwitch() {
  const s = status.value;
  const action = useAction();
  const shortcut = useStopShortcut();
  if (!s) return null;
  const set = (on: boolean) => void action.run(async () => (await admin('set_kill_switch', { on }), await refreshVault()));

  if (s.killSwitch) {
    return (
      <div class="w-stack" style={{ marginBottom: '10px' }}>
        <div class="paused" role="status" data-testid="popup-kill-state" data-state="on">
          <span>
            <strong>All signing stopped.</strong> Every site is refused until you resume.
          </span>
          <Button variant="primary" small testid="popup-kill-switch" disabled={s.locked || action.busy} onClick={() => set(false)}>
            Resume
          </Button>
        </div>
        {s.locked && <p class="muted" data-testid="popup-kill-locked">Unlock Warden to resume signing.</p>}
        <ErrorText testid="popup-kill-error" error={action.error} />
      </div>
    );
  }
  return (
    <div class="w-stack" style={{ marginBottom: '10px' }}>
      <div class="row" data-testid="popup-kill-state" data-state="off">
        <Button variant="danger" small testid="popup-kill-switch" disabled={action.busy} onClick={() => set(true)}>
          Stop all signing
        </Button>
        <span class="muted" data-testid="popup-kill-shortcut">
          {shortcut === null ? '' : shortcut ? `or press ${shortcut}, anywhere` : 'No shortcut set (the browser’s extension shortcuts page sets one)'}
        </span>
      </div>
      <ErrorText testid="popup-kill-error" error={action.error} />
    </div>
  );
}
