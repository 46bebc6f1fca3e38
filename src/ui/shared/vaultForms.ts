// Forms shared by the popup and the options page: unlock, create and import a key.
import { h } from './dom.ts';
import { admin } from './rpc.ts';

function form(testid: string, fields: HTMLElement[], submitText: string, submit: (values: string[]) => Promise<void>): HTMLFormElement {
  const error = h('div', { class: 'error', role: 'alert', testid: `${testid}-error` });
  const inputs = fields.flatMap((f) => [...f.querySelectorAll('input')]);
  const el = h('form', { testid, class: 'card' }, ...fields, h('div', { class: 'row' }, h('button', { class: 'primary', type: 'submit', testid: `${testid}-submit` }, submitText)), error);
  el.addEventListener('submit', (e) => {
    e.preventDefault();
    error.textContent = '';
    submit(inputs.map((i) => i.value)).catch((err: Error) => (error.textContent = err.message));
  });
  return el;
}

function field(label: string, testid: string, type = 'text', autocomplete = 'off'): HTMLElement {
  const id = `f-${testid}`;
  return h('div', {}, h('label', { for: id }, label), h('input', { id, type, testid, autocomplete, required: type === 'password' }));
}

export function unlockForm(done: () => void): HTMLFormElement {
  return form('unlock', [field('Password', 'unlock-password', 'password', 'current-password')], 'Unlock', async ([password]) => {
    await admin('unlock', { password });
    done();
  });
}

export function createForm(done: () => void): HTMLFormElement {
  return form('create', [field('Label', 'create-label'), field('Password (protects the key at rest, NIP-49)', 'create-password', 'password', 'new-password')], 'Create a new key', async ([label, password]) => {
    await admin('create_account', { password, ...(label ? { label } : {}) });
    done();
  });
}

export function importForm(done: () => void): HTMLFormElement {
  return form(
    'import',
    [field('Secret (nsec, 64 hex characters or ncryptsec)', 'import-secret', 'password'), field('Label', 'import-label'), field('Password', 'import-password', 'password', 'new-password')],
    'Import key',
    async ([secret, label, password]) => {
      await admin('import_account', { secret, password, ...(label ? { label } : {}) });
      done();
    },
  );
}
