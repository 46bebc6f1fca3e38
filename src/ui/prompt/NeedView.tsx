// A request that came while the signer was locked (or had no key): unlock, or create or import a
// key, and the same request continues. Giving up refuses it.
import { useState } from 'preact/hooks';
import { admin } from '../shared/rpc.ts';
import type { PromptView } from './types.ts';
import { MIN_PASSWORD_CHARS } from '../../shared/protocol.ts';
import { RemoteName } from '../components/RemoteName.tsx';

function Form({ id, fields, submit, label }: { id: string; fields: [string, string, string][]; submit: (values: string[]) => Promise<unknown>; label: string }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="card"
      data-testid={`prompt-${id}`}
      onSubmit={async (e) => {
        e.preventDefault();
        const values = fields.map(([name]) => (e.currentTarget.elements.namedItem(name) as HTMLInputElement).value);
        setBusy(true);
        setError('');
        await submit(values).catch((err: Error) => setError(err.message));
        setBusy(false);
      }}
    >
      {fields.map(([name, text, type]) => (
        <div key={name}>
          <label for={`${id}-${name}`}>{text}</label>
          <input id={`${id}-${name}`} name={name} type={type} required={type === 'password'} minLength={type === 'password' && id !== 'unlock' ? MIN_PASSWORD_CHARS : undefined} autocomplete="off" data-testid={`prompt-${id}-${name}`} />
        </div>
      ))}
      <div class="row">
        <button class="primary" type="submit" disabled={busy} data-testid={`prompt-${id}-submit`}>{busy ? 'Working…' : label}</button>
      </div>
      {error && <div class="error" role="alert">{error}</div>}
    </form>
  );
}

/** A typo in a new password would lock a fresh key away for good: it is typed twice. */
function sameTwice(password: string, again: string | undefined): void {
  if (password !== again) throw new Error('The two passwords differ');
}

export function NeedView({ p }: { p: PromptView }) {
  const giveUp = () => admin('resolve_prompt', { promptId: p.promptId, decision: 'deny' });
  return (
    <section>
      {p.remote && <RemoteName remote={p.remote} testid="prompt-remote" />}
      <div class={p.remote ? 'origin-remote mono' : 'origin'} data-testid="prompt-origin">{p.origin}</div>
      <p class="what">
        {p.need === 'unlock' ? 'asks for your key, but the signer is locked. Unlock to continue:' : 'asks for a Nostr key, and the signer has none yet. Create or import one to continue:'}
      </p>
      {p.need === 'unlock' ? (
        <Form id="unlock" label="Unlock" fields={[['password', 'Password', 'password']]} submit={([password = '']) => admin('unlock', { password })} />
      ) : (
        <>
          <p class="muted" data-testid="prompt-password-rule">The password protects your key at rest: at least {MIN_PASSWORD_CHARS} characters, typed twice. A fresh key is lost for good if you forget it.</p>
          <Form
            id="create"
            label="Create a new key"
            fields={[['label', 'Label', 'text'], ['password', 'Password (protects the key at rest)', 'password'], ['again', 'The same password again', 'password']]}
            submit={async ([label, password = '', again]) => (sameTwice(password, again), admin('create_account', { password, ...(label ? { label } : {}) }))}
          />
          <Form
            id="import"
            label="Import key"
            fields={[['secret', 'nsec, 64 hex characters or ncryptsec', 'password'], ['password', 'Password', 'password'], ['again', 'The same password again', 'password']]}
            submit={async ([secret = '', password = '', again]) => (sameTwice(password, again), admin('import_account', { secret, password }))}
          />
        </>
      )}
      <div class="actions">
        <button type="button" class="danger" data-testid="prompt-deny" onClick={giveUp}>Not now</button>
      </div>
    </section>
  );
}
