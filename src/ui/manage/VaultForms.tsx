// Unlock, create and import a key: the popup, the options page and the welcome page share them.
import { useState } from 'preact/hooks';
import { Button, ErrorText, Field } from '../components/index.tsx';
import { useAction } from '../components/hooks.ts';
import { admin } from '../shared/rpc.ts';

export function UnlockForm({ prefix, done }: { prefix: string; done: () => void }) {
  const [password, setPassword] = useState('');
  const action = useAction();
  return (
    <form data-testid={`${prefix}unlock`} onSubmit={(e) => (e.preventDefault(), void action.run(async () => (await admin('unlock', { password }), setPassword(''), done())))}>
      <Field label="Password" testid={`${prefix}unlock-password`} type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      <div class="row" style={{ marginTop: '8px' }}>
        <Button type="submit" variant="primary" testid={`${prefix}unlock-submit`} disabled={action.busy}>
          {action.busy ? 'Unlocking…' : 'Unlock'}
        </Button>
      </div>
      <ErrorText testid={`${prefix}unlock-error`} error={action.error} />
    </form>
  );
}

/** A new key, or an imported one (nsec, 64 hex characters, ncryptsec), under the vault password. */
export function KeyForm({ mode, prefix, hasAccount, done }: { mode: 'create' | 'import'; prefix: string; hasAccount: boolean; done: () => void }) {
  const [secret, setSecret] = useState('');
  const [label, setLabel] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const action = useAction();
  const id = `${prefix}${mode}`;
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      if (!hasAccount && again !== password) throw new Error('The two passwords differ');
      const extra = label.trim() ? { label: label.trim() } : {};
      if (mode === 'create') await admin('create_account', { password, ...extra });
      else await admin('import_account', { secret: secret.trim(), password, ...extra });
      setSecret('');
      setPassword('');
      setAgain('');
      setLabel('');
      done();
    });
  };
  return (
    <form data-testid={id} class="w-stack" onSubmit={submit}>
      {mode === 'import' && (
        <Field label="Secret key: nsec, 64 hex characters or ncryptsec" testid={`${id}-secret`} type="password" autoComplete="off" required value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />
      )}
      <Field label="Name (only for you)" testid={`${id}-label`} value={label} placeholder="e.g. Main" onInput={(e) => setLabel(e.currentTarget.value)} />
      <Field
        label={hasAccount ? 'Vault password (the one your keys share)' : 'Password (encrypts the key at rest, NIP-49)'}
        testid={`${id}-password`}
        type="password"
        autoComplete={hasAccount ? 'current-password' : 'new-password'}
        required
        minLength={hasAccount ? 1 : 8}
        value={password}
        onInput={(e) => setPassword(e.currentTarget.value)}
      />
      {!hasAccount && (
        <Field label="Password again" testid={`${id}-password-again`} type="password" autoComplete="new-password" required value={again} onInput={(e) => setAgain(e.currentTarget.value)} />
      )}
      <div class="row">
        <Button type="submit" variant="primary" testid={`${id}-submit`} disabled={action.busy}>
          {action.busy ? 'Working… (scrypt takes a moment)' : mode === 'create' ? 'Create a new key' : 'Import this key'}
        </Button>
      </div>
      <ErrorText testid={`${id}-error`} error={action.error} />
    </form>
  );
}
