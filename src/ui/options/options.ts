// The options page as the core ships it: accounts (create, import, select), lock state, auto-lock.
// (Sites, overrides, activity, backup and the rest are the options page's own issue.)
import { npubEncode } from 'nostr-tools/nip19';
import { h, mount } from '../shared/dom.ts';
import { admin } from '../shared/rpc.ts';
import { createForm, importForm, unlockForm } from '../shared/vaultForms.ts';

interface Status { locked: boolean; hasAccount: boolean; account?: { id: number } }
interface Account { id: number; pubkey: string; label: string }
const app = document.getElementById('app')!;

async function render(): Promise<void> {
  const [s, { accounts }, settings] = await Promise.all([
    admin<Status>('get_status'),
    admin<{ accounts: Account[] }>('list_accounts'),
    admin<{ autoLockMinutes: number }>('get_settings'),
  ]);
  const rerender = () => void render();
  const list = h('div', { testid: 'accounts' }, ...accounts.map((a) =>
    h('div', { class: 'card row', testid: 'account-row' },
      h('div', { style: 'flex:1' }, h('strong', {}, a.label), h('div', { class: 'mono muted' }, npubEncode(a.pubkey))),
      a.id === s.account?.id ? h('span', { class: 'ok' }, 'active') : h('button', { testid: 'account-select', onclick: () => void admin('select_account', { accountId: a.id }).then(rerender) }, 'Use'),
    )));
  const autoLock = h('input', { type: 'number', min: 0, value: settings.autoLockMinutes, testid: 'autolock-minutes', id: 'autolock' });
  mount(app, 
    h('h1', {}, 'Warden'),
    h('h2', {}, 'Accounts'),
    s.hasAccount ? list : h('p', { testid: 'welcome' }, 'Create a new Nostr key or import one. The password protects it at rest (NIP-49).'),
    s.hasAccount && s.locked ? unlockForm(rerender) : null,
    s.hasAccount && !s.locked ? h('button', { testid: 'lock', onclick: () => void admin('lock').then(rerender) }, 'Lock now') : null,
    !s.hasAccount || !s.locked ? createForm(rerender) : null,
    !s.hasAccount || !s.locked ? importForm(rerender) : null,
    h('h2', {}, 'Auto-lock'),
    h('div', { class: 'row' }, h('label', { for: 'autolock' }, 'Lock after this many idle minutes (0 = never)'), autoLock,
      h('button', { testid: 'autolock-save', onclick: () => void admin('set_settings', { autoLockMinutes: Number(autoLock.value) }).then(rerender) }, 'Save')),
  );
}

void render();
