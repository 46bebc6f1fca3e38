// The popup: the current tab's site first (its grant, meters, retune, pause, activity), then the
// account in use with a switcher, lock, waiting requests and a link to the options page.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import { Badge, Button, Select } from '../components/index.tsx';
import { usePoll } from '../components/hooks.ts';
import { accounts as accountList, pendingCount, refreshVault, startVaultPoll, status as vaultStatus } from '../manage/store.ts';
import { admin } from '../shared/rpc.ts';
import { UnlockForm } from '../manage/VaultForms.tsx';
import { SitePanel } from './SitePanel.tsx';
import { KillSwitch } from './KillSwitch.tsx';
import { RemoteClients } from './RemoteClients.tsx';

const isSite = (url: string | undefined) => !!url && /^https?:\/\//.test(url);

/** `?origin=` (tests, or a link from the options page), else the active tab's site. */
async function currentSite(): Promise<string | null> {
  const param = new URLSearchParams(location.search).get('origin');
  if (param) return param;
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  if (!tab) return null;
  // With host access the tab's URL is known; without it, the site this tab last asked from.
  if (isSite(tab.url)) return new URL(tab.url!).origin;
  if (tab.id === undefined) return null;
  return (await admin('get_tab_site', { tabId: tab.id })).origin;
}

function SitePicker({ onPick }: { onPick: (o: string) => void }) {
  const { data } = usePoll(() => admin('list_sites'), [], 5_000);
  if (!data?.origins.length) return <p class="muted" data-testid="popup-no-site">This tab has not asked Warden for anything yet.</p>;
  return (
    <div>
      <p class="muted" data-testid="popup-no-site">This tab has not asked Warden for anything yet. Show a site:</p>
      <Select label="Site" testid="popup-site-select" options={[['', 'choose…'], ...data.origins.map((o) => [o, o] as const)]} value="" onChange={(e) => e.currentTarget.value && onPick(e.currentTarget.value)} />
    </div>
  );
}

function Popup() {
  const [site, setSite] = useState<string | null | undefined>(undefined);
  const refresh = refreshVault;
  useEffect(() => {
    currentSite().then(setSite, () => setSite(null));
  }, []);
  const status = vaultStatus.value;
  const accounts = accountList.value;
  if (!status) return <p class="muted">Loading…</p>;
  const openOptions = () => void browser.runtime.openOptionsPage();
  if (!status.hasAccount) {
    return (
      <div data-testid="popup">
        <div class="top"><h1>Warden</h1></div>
        <KillSwitch />
        <p>No key yet. Create one or import yours to start.</p>
        <Button variant="primary" testid="popup-setup" onClick={() => void browser.tabs.create({ url: browser.runtime.getURL('src/ui/options/index.html?welcome=1') })}>
          Create or import a key
        </Button>
      </div>
    );
  }
  return (
    <div data-testid="popup">
      <div class="top">
        <h1>Warden</h1>
        {pendingCount.value > 0 && <Badge tone="accent" testid="popup-pending">{pendingCount.value} waiting</Badge>}
        <Badge tone={status.locked ? 'danger' : 'ok'} testid="popup-lock-state">{status.locked ? 'Locked' : 'Unlocked'}</Badge>
      </div>
      <KillSwitch />
      <div class="account">
        <Select
          label="Account in use"
          testid="popup-account-select"
          options={accounts.map((a) => [String(a.id), a.label] as const)}
          value={String(status.account?.id ?? '')}
          onChange={(e) => void admin('select_account', { accountId: Number(e.currentTarget.value) }).then(refresh)}
        />
        {!status.locked && <Button testid="popup-lock" onClick={() => void admin('lock').then(refresh)}>Lock</Button>}
      </div>
      <span class="sr-only" data-testid="popup-account">{status.account?.label}</span>
      {status.locked && <UnlockForm prefix="popup-" done={() => void refresh()} />}
      {site === undefined ? <p class="muted">…</p> : site === null ? <SitePicker onPick={setSite} /> : <SitePanel key={`${site} ${status.account?.id}`} origin={site} />}
      <RemoteClients onPick={setSite} />
      <div class="foot">
        <Button variant="ghost" small testid="popup-options" onClick={openOptions}>All sites and settings →</Button>
      </div>
    </div>
  );
}

startVaultPoll();
render(<Popup />, document.getElementById('app')!);
