// Backup (keys as ncryptsec + the live policy, one JSON file) and restore, which first shows what
// it would change and never loosens the policy unless the user ticks that box.
import { useState } from 'preact/hooks';
import { Badge, Button, Card, ErrorText, Field } from '../components/index.tsx';
import { useAction } from '../components/hooks.ts';
import { admin } from '../shared/rpc.ts';
import type { RestorePlan } from '../../shared/adminResults.ts';
import { status } from '../manage/store.ts';
import { quoted } from '../../shared/quoted.ts';
import { loosenLocked, UnlockNote } from '../manage/locked.tsx';

const TONE = { loosens: 'warn', tightens: 'ok', neutral: 'muted' } as const;

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function BackupTab({ onChanged }: { onChanged: () => void }) {
  const [password, setPassword] = useState('');
  const exporting = useAction();
  return (
    <div data-testid="options-backup">
      <Card title="Back up" headingLevel={3}>
        <p class="muted">One JSON file: your keys as NIP-49 ncryptsec (never in plain text) and the live policy — grants, rules, caps, overrides and settings.</p>
        <form class="row" onSubmit={(e) => (e.preventDefault(), void exporting.run(async () => {
          const { backup } = await admin('backup_export', { password });
          download(`warden-backup-${new Date().toISOString().slice(0, 10)}.json`, backup);
          setPassword('');
        }))}>
          <Field label="Vault password" testid="options-backup-password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          <Button type="submit" variant="primary" small testid="options-backup-export" disabled={exporting.busy}>Download backup</Button>
        </form>
        <ErrorText testid="options-backup-error" error={exporting.error} />
      </Card>
      <RestoreCard onChanged={onChanged} />
    </div>
  );
}

/**
 * A change line. A key's label comes from the file: it is shown as marked data (quoted, in its
 * own element), never as words of the line, so a label cannot pass for a change of its own.
 */
function ChangeText({ change }: { change: RestorePlan['changes'][number] }) {
  if (change.type !== 'add_account') return <>{change.text}</>;
  return (
    <>
      add the key <q class="w-file-data" data-testid="options-restore-label" title="The label, as written in the backup file">{quoted(change.label).slice(1, -1)}</q> ({change.pubkey.slice(0, 12)}…)
    </>
  );
}

/** Restore: pick the file, see every change with its impact, then apply (loosening only if ticked). */
export function RestoreCard({ onChanged }: { onChanged: () => void }) {
  const [text, setText] = useState('');
  const [plan, setPlan] = useState<RestorePlan | null>(null);
  const [accept, setAccept] = useState(false);
  const [restorePassword, setRestorePassword] = useState('');
  const [result, setResult] = useState<string | null>(null);
  const restoring = useAction();
  const loosening = plan?.changes.filter((c) => c.impact === 'loosens').length ?? 0;
  // A first-run restore (no key here yet) brings its own keys and may loosen; with a key here, unlock first.
  const gated = loosenLocked.value && status.value?.hasAccount === true;
  return (
      <Card title="Restore" headingLevel={3}>
        <p class="muted">A restore adds to what is here. It shows every change first; changes that would allow more than now are applied only if you tick the box.</p>
        <div class="w-stack">
          <div class="w-field">
            <label for="restore-file">Backup file</label>
            <input id="restore-file" type="file" accept="application/json,.json" data-testid="options-restore-file" onChange={(e) => {
              const f = e.currentTarget.files?.[0];
              if (f) void f.text().then((t) => (setText(t), setPlan(null), setResult(null)));
            }} />
          </div>
          <Button small testid="options-restore-preview" disabled={!text || restoring.busy} onClick={() => void restoring.run(async () => (setPlan(await admin('restore_preview', { backup: text })), setResult(null)))}>
            Preview the changes
          </Button>
        </div>
        {plan && (
          <div data-testid="options-restore-plan" style={{ marginTop: '10px' }}>
            {plan.changes.length === 0 ? <p>Nothing to change: this policy already holds everything in the backup.</p> : (
              <ul class="changes">
                {plan.changes.map((c, i) => (
                  <li key={i} data-testid="options-restore-change" data-impact={c.impact}><Badge tone={TONE[c.impact]}>{c.impact}</Badge> <ChangeText change={c} /></li>
                ))}
              </ul>
            )}
            {plan.kept.length > 0 && <details data-testid="options-restore-kept"><summary>{plan.kept.length} kept as they are here (as strict or stricter)</summary><ul>{plan.kept.map((k, i) => <li key={i}>{k}</li>)}</ul></details>}
            {plan.changes.length > 0 && (
              <form class="w-stack" onSubmit={(e) => (e.preventDefault(), void restoring.run(async () => {
                const r = await admin('restore_apply', { backup: text, password: restorePassword, acceptLoosening: accept && !gated, planId: plan.planId });
                setResult(`Restored: ${r.accountsAdded} key(s) added, ${r.applied} change(s) applied, ${r.skipped} that would loosen skipped.`);
                setPlan(null);
                onChanged();
              }))}>
                {loosening > 0 && (
                  <label class="inline">
                    <input type="checkbox" data-testid="options-restore-accept" disabled={gated} checked={accept && !gated} onChange={(e) => setAccept(e.currentTarget.checked)} />
                    Also apply the {loosening} change(s) marked “loosens” (they allow more than now)
                    <UnlockNote testid="options-restore-accept-locked" show={gated} />
                  </label>
                )}
                <div class="row">
                  <Field label="Vault password (the backup's keys must open with it)" testid="options-restore-password" type="password" autoComplete="current-password" required value={restorePassword} onInput={(e) => setRestorePassword(e.currentTarget.value)} />
                  <Button type="submit" variant="primary" small testid="options-restore-apply" disabled={restoring.busy}>Restore</Button>
                </div>
              </form>
            )}
          </div>
        )}
        {result && <p class="ok" data-testid="options-restore-result">{result}</p>}
        <ErrorText testid="options-restore-error" error={restoring.error} />
      </Card>
  );
}
