// Accounts: select, rename, export (ncryptsec), delete with a confirmation; lock/unlock; create
// and import (nsec, hex, ncryptsec).
import { useState } from 'preact/hooks';
import { npubEncode } from 'nostr-tools/nip19';
import { Badge, Button, Card, ErrorText, Field } from '../components/index.tsx';
import { Confirm } from '../components/Confirm.tsx';
import { useAction, usePoll } from '../components/hooks.ts';
import { admin } from '../shared/rpc.ts';
import { KeyForm, UnlockForm } from '../manage/VaultForms.tsx';
import type { AccountRow, Status } from '../manage/types.ts';
import { loosenLocked, UnlockNote } from '../manage/locked.tsx';

function AccountCard({ a, active, onChanged }: { a: AccountRow; active: boolean; onChanged: () => void }) {
  const [mode, setMode] = useState<'none' | 'rename' | 'export'>('none');
  const [label, setLabel] = useState(a.label);
  const [password, setPassword] = useState('');
  const [ncryptsec, setNcryptsec] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deletePassword, setDeletePassword] = useState('');
  const action = useAction();
  const npub = npubEncode(a.pubkey);
  return (
    <div class="w-card" data-testid="options-account-row" data-account-id={a.id}>
      <div class="w-split">
        <div class="grow">
          <strong data-testid="options-account-label">{a.label}</strong> {active && <Badge tone="ok">in use</Badge>}
          <div class="mono muted" title={npub}>{npub}</div>
        </div>
        {!active && <Button small testid="options-account-select" onClick={() => void action.run(async () => (await admin('select_account', { accountId: a.id }), onChanged()))}>Use</Button>}
        <Button small testid="options-account-rename" onClick={() => setMode(mode === 'rename' ? 'none' : 'rename')}>Rename</Button>
        <Button small testid="options-account-export" onClick={() => (setMode(mode === 'export' ? 'none' : 'export'), setNcryptsec(null))}>Export</Button>
        <UnlockNote testid="options-account-delete-locked" text="Unlock to delete" />
        <Button small variant="danger" testid="options-account-delete" disabled={loosenLocked.value} onClick={() => setConfirmDelete(true)}>Delete</Button>
      </div>
      {mode === 'rename' && (
        <form class="row" style={{ marginTop: '8px' }} onSubmit={(e) => (e.preventDefault(), void action.run(async () => (await admin('rename_account', { accountId: a.id, label }), setMode('none'), onChanged())))}>
          <Field label="New name" testid="options-account-rename-input" required maxLength={100} value={label} onInput={(e) => setLabel(e.currentTarget.value)} />
          <Button type="submit" small variant="primary" testid="options-account-rename-save">Save</Button>
        </form>
      )}
      {mode === 'export' && (
        <form class="w-stack" style={{ marginTop: '8px' }} onSubmit={(e) => (e.preventDefault(), void action.run(async () => setNcryptsec((await admin('export_account', { accountId: a.id, password })).ncryptsec)))}>
          <div class="row">
            <Field label="Vault password" testid="options-account-export-password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
            <Button type="submit" small variant="primary" testid="options-account-export-submit">Show ncryptsec</Button>
          </div>
          {ncryptsec && (
            <>
              <input class="mono-box" readOnly aria-label="Encrypted key (NIP-49 ncryptsec)" data-testid="options-account-ncryptsec" value={ncryptsec} onFocus={(e) => e.currentTarget.select()} />
              <span class="muted">Encrypted with your password (NIP-49): keep it with the password somewhere safe.</span>
            </>
          )}
        </form>
      )}
      <ErrorText testid="options-account-error" error={action.error} />
      <Confirm
        open={confirmDelete}
        title={`Delete ${a.label}?`}
        confirmText="Delete the key"
        onCancel={() => (setConfirmDelete(false), setDeletePassword(''))}
        onConfirm={() => {
          setConfirmDelete(false);
          const password = deletePassword;
          setDeletePassword('');
          void action.run(async () => (await admin('delete_account', { accountId: a.id, password }), onChanged()));
        }}
      >
        <p>The key is wiped from this browser and its grants are revoked. Without a backup (its ncryptsec) it cannot be recovered.</p>
        {/* The background checks it (a wrong one is refused and slows the next try). */}
        <Field label="Vault password" testid="options-account-delete-password" type="password" autoComplete="current-password" required value={deletePassword} onInput={(e) => setDeletePassword(e.currentTarget.value)} />
      </Confirm>
    </div>
  );
}

export function AccountsTab({ status, onChanged }: { status: Status; onChanged: () => void }) {
  const { data, refresh } = usePoll(() => admin('list_accounts'), [], 3_000);
  const changed = () => (void refresh(), onChanged());
  return (
    <div data-testid="options-accounts">
      {data?.accounts.map((a) => <AccountCard key={a.id} a={a} active={a.id === status.account?.id} onChanged={changed} />)}
      {status.locked && (
        <Card title="Unlock" headingLevel={3}>
          <UnlockForm prefix="options-" done={changed} />
        </Card>
      )}
      {!status.locked && (
        <div class="welcome-cols" style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: '12px' }}>
          <Card title="Create a key" headingLevel={3}><KeyForm mode="create" prefix="options-" hasAccount={status.hasAccount} done={changed} /></Card>
          <Card title="Import a key" headingLevel={3}><KeyForm mode="import" prefix="options-" hasAccount={status.hasAccount} done={changed} /></Card>
        </div>
      )}
    </div>
  );
}
