// The options page: every site and its grants, overrides, activity, the signing log, "try a
// request", accounts, backup and restore, settings. `?welcome=1` (or no key yet) shows the welcome.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Badge, Button } from '../components/index.tsx';
import { Tabs } from '../components/Tabs.tsx';
import { pendingCount, refreshVault, startVaultPoll, status as vaultStatus } from '../manage/store.ts';
import { admin } from '../shared/rpc.ts';
import { Welcome } from '../welcome/Welcome.tsx';
import { SitesTab } from './SitesTab.tsx';
import { OverridesTab } from './OverridesTab.tsx';
import { ActivityTab, LogTab } from './LogsTab.tsx';
import { TryTab } from './TryTab.tsx';
import { AccountsTab } from './AccountsTab.tsx';
import { BackupTab } from './BackupTab.tsx';
import { SettingsTab } from './SettingsTab.tsx';
import { RemoteTab } from './RemoteTab.tsx';

const TABS = [
  { id: 'sites', label: 'Sites' },
  { id: 'overrides', label: 'Overrides' },
  { id: 'activity', label: 'Activity' },
  { id: 'log', label: 'Signing log' },
  { id: 'try', label: 'Try a request' },
  { id: 'accounts', label: 'Accounts' },
  { id: 'backup', label: 'Backup' },
  { id: 'remote', label: 'Remote signing' },
  { id: 'settings', label: 'Settings' },
] as const;

const tabFromHash = () => {
  const h = location.hash.slice(1);
  return TABS.some((t) => t.id === h) ? h : 'sites';
};

function Options() {
  const [tab, setTab] = useState(tabFromHash);
  const [welcome, setWelcome] = useState(() => new URLSearchParams(location.search).has('welcome'));
  const status = vaultStatus.value;
  const refresh = refreshVault;
  useEffect(() => {
    const onHash = () => setTab(tabFromHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  if (!status) return <p class="muted">Loading…</p>;
  if (welcome || !status.hasAccount) {
    return (
      <Welcome
        hasAccount={status.hasAccount}
        onDone={() => {
          history.replaceState(null, '', location.pathname + '#accounts');
          setWelcome(false);
          setTab('accounts');
          void refresh();
        }}
      />
    );
  }
  const select = (id: string) => {
    setTab(id);
    history.replaceState(null, '', `#${id}`);
  };
  return (
    <div data-testid="options">
      <div class="masthead">
        <h1>Warden</h1>
        {pendingCount.value > 0 && <Badge tone="accent" testid="options-pending">{pendingCount.value} waiting</Badge>}
        <span data-testid="options-account" class="muted">{status.account?.label}</span>
        <Badge tone={status.locked ? 'danger' : 'ok'} testid="options-lock-state">{status.locked ? 'Locked' : 'Unlocked'}</Badge>
        {!status.locked && (
          <Button small testid="options-lock" onClick={() => void admin('lock').then(refresh)}>
            Lock
          </Button>
        )}
      </div>
      <Tabs tabs={TABS} current={tab} onSelect={select} testidPrefix="options-tab">
        {tab === 'sites' && <SitesTab />}
        {tab === 'overrides' && <OverridesTab />}
        {tab === 'activity' && <ActivityTab />}
        {tab === 'log' && <LogTab />}
        {tab === 'try' && <TryTab />}
        {tab === 'accounts' && <AccountsTab status={status} onChanged={() => void refresh()} />}
        {tab === 'backup' && <BackupTab onChanged={() => void refresh()} />}
        {tab === 'settings' && <SettingsTab />}
        {tab === 'remote' && <RemoteTab />}
      </Tabs>
    </div>
  );
}

// `?rpc` opens the page as a bare admin-RPC endpoint (e2e fixtures, bench and scripts send
// admin messages from it): it renders and polls nothing, so it adds no load of its own.
if (!new URLSearchParams(location.search).has('rpc')) {
  startVaultPoll();
  render(<Options />, document.getElementById('app')!);
}
