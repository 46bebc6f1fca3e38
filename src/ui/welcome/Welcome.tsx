// First run: the extension was just installed and holds no key. Create one or import yours.
import { useState } from 'preact/hooks';
import { Button, Card } from '../components/index.tsx';
import { KeyForm } from '../manage/VaultForms.tsx';
import { RestoreCard } from '../options/BackupTab.tsx';

export function Welcome({ hasAccount, onDone }: { hasAccount: boolean; onDone: () => void }) {
  const [done, setDone] = useState(false);
  if (done) {
    return (
      <div class="welcome" data-testid="welcome-done">
        <h1>You are set</h1>
        <p>Your key is stored encrypted (NIP-49) under your password. When a site asks to use it, Warden asks you first; the toolbar popup shows what each site may do and how much of its caps it has used.</p>
        <Button variant="primary" testid="welcome-continue" onClick={onDone}>
          Open the settings
        </Button>
      </div>
    );
  }
  return (
    <div class="welcome" data-testid="welcome">
      <h1>Welcome to Warden</h1>
      <p>Warden keeps your Nostr key and lets each website use it only as you allow: ask every time, allow some kinds of events, or allow up to a number per hour. Start with a key.</p>
      <div class="cols">
        <Card title="Create a new key" headingLevel={2}>
          <KeyForm mode="create" prefix="welcome-" hasAccount={hasAccount} done={() => setDone(true)} />
        </Card>
        <Card title="Import your key" headingLevel={2}>
          <KeyForm mode="import" prefix="welcome-" hasAccount={hasAccount} done={() => setDone(true)} />
        </Card>
      </div>
      <details data-testid="welcome-restore">
        <summary>Or restore a Warden backup (keys and policy)</summary>
        <RestoreCard onChanged={() => setDone(true)} />
      </details>
      <p class="muted">The password never leaves this browser. An nsec or hex key is encrypted at once; an ncryptsec is kept as it is and must open with this password.</p>
    </div>
  );
}
