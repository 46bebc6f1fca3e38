// The popup as the core ships it: vault state, unlock, lock, waiting requests.
// (Per-site grants, meters and retuning are the popup's own issue.)
import browser from 'webextension-polyfill';
import { npubEncode } from 'nostr-tools/nip19';
import { h, mount } from '../shared/dom.ts';
import { admin, onPromptsChanged } from '../shared/rpc.ts';
import { unlockForm } from '../shared/vaultForms.ts';

interface Status { locked: boolean; hasAccount: boolean; account?: { pubkey: string; label: string }; pending: unknown[] }
const app = document.getElementById('app')!;

async function render(): Promise<void> {
  const s = await admin<Status>('get_status');
  const options = h('button', { testid: 'popup-options', onclick: () => void browser.runtime.openOptionsPage() }, 'Settings');
  if (!s.hasAccount) {
    mount(app, h('h1', {}, 'Warden'), h('p', {}, 'No key yet.'), h('button', { class: 'primary', testid: 'popup-setup', onclick: () => void browser.runtime.openOptionsPage() }, 'Create or import a key'));
    return;
  }
  mount(app, 
    h('h1', {}, 'Warden'),
    h('div', { class: 'card' },
      h('div', { testid: 'popup-account' }, s.account?.label ?? ''),
      h('div', { class: 'mono muted' }, s.account ? npubEncode(s.account.pubkey) : ''),
      h('div', { testid: 'popup-lock-state', class: s.locked ? 'error' : 'ok' }, s.locked ? 'Locked' : 'Unlocked'),
    ),
    s.pending.length ? h('p', { testid: 'popup-pending' }, `${s.pending.length} request(s) waiting for an answer`) : null,
    s.locked ? unlockForm(() => void render()) : h('button', { testid: 'popup-lock', onclick: () => void admin('lock').then(render) }, 'Lock'),
    h('div', { class: 'row', style: 'margin-top:10px' }, options),
  );
}

onPromptsChanged(() => void render());
void render();
