// Settings: auto-lock, the sensitive kinds, the relays getRelays returns, log retention.
import { useEffect, useState } from 'preact/hooks';
import { Button, Card, ErrorText, Field } from '../components/index.tsx';
import { useAction } from '../components/hooks.ts';
import { admin } from '../shared/rpc.ts';
import type { AdminResults, Retention } from '../../shared/adminResults.ts';
import { autoLockImpact, retentionImpact, sensitiveKindsImpact } from '../../policy/impact.ts';
import { loosenLocked, UnlockNote } from '../manage/locked.tsx';

type Settings = AdminResults['get_settings'];

const relaysText = (r: Settings['relays']) => Object.entries(r).map(([url, m]) => `${url}${m.read ? ' read' : ''}${m.write ? ' write' : ''}`).join('\n');

function parseRelays(text: string): Settings['relays'] {
  const out: Settings['relays'] = {};
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const [url, ...flags] = line.split(/\s+/);
    if (!/^wss?:\/\/\S+$/.test(url!)) throw new Error(`not a relay URL: ${url}`);
    const read = flags.length === 0 || flags.includes('read');
    const write = flags.length === 0 || flags.includes('write');
    out[url!] = { read, write };
  }
  return out;
}

const days = (s: string) => (s.trim() === '' ? null : Number(s));

export function SettingsTab() {
  const [s, setS] = useState<Settings | null>(null);
  const [kept, setKept] = useState<Retention | null>(null);
  const [autoLock, setAutoLock] = useState('');
  const [kinds, setKinds] = useState('');
  const [relays, setRelays] = useState('');
  const [activityDays, setActivityDays] = useState('');
  const [logDays, setLogDays] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const action = useAction();
  const load = async () => {
    const [settings, retention] = await Promise.all([admin('get_settings'), admin('get_retention')]);
    setS(settings);
    setKept(retention);
    setAutoLock(String(settings.autoLockMinutes));
    setKinds(settings.sensitiveKinds.join(', '));
    setRelays(relaysText(settings.relays));
    setActivityDays(retention.activityDays === null ? '' : String(retention.activityDays));
    setLogDays(retention.signingLogDays === null ? '' : String(retention.signingLogDays));
  };
  useEffect(() => void load(), []);
  if (!s || !kept) return <p class="muted">Loading…</p>;
  // While locked, a change that would loosen cannot be saved: the same comparison the background makes.
  const locked = loosenLocked.value;
  const kindList = kinds.split(/[\s,]+/).filter(Boolean).map(Number);
  const longerLock = locked && autoLock !== '' && autoLockImpact(s.autoLockMinutes, Number(autoLock)) === 'loosens';
  const fewerKinds = locked && sensitiveKindsImpact(s.sensitiveKinds, kindList) === 'loosens';
  const shorterLogs = locked && retentionImpact(kept, { activityDays: days(activityDays), signingLogDays: days(logDays) }) === 'loosens';
  const save = (what: string, fn: () => Promise<unknown>) =>
    void action.run(async () => {
      const said = await fn();
      setSaved(typeof said === 'string' ? said : `Saved ${what}.`);
      await load();
    });
  return (
    <div data-testid="options-settings">
      <Card title="Auto-lock" headingLevel={3}>
        <form class="row" onSubmit={(e) => (e.preventDefault(), save('auto-lock', () => admin('set_settings', { autoLockMinutes: Number(autoLock) })))}>
          <Field label="Lock after this many idle minutes (0 = never)" testid="options-autolock" type="number" min={0} value={autoLock} onInput={(e) => setAutoLock(e.currentTarget.value)} />
          <Button type="submit" small testid="options-autolock-save" disabled={longerLock}>Save</Button>
          <UnlockNote testid="options-autolock-locked" text="Unlock to lengthen or turn off the auto-lock" show={longerLock} />
        </form>
      </Card>
      <Card title="Sensitive kinds" headingLevel={3}>
        <p class="muted">A rule for “any kind” never covers these: only a rule or override naming the kind does.</p>
        <form class="row" onSubmit={(e) => (e.preventDefault(), save('sensitive kinds', async () => {
          const list = kinds.split(/[\s,]+/).filter(Boolean).map(Number);
          if (list.some((k) => !Number.isInteger(k) || k < 0 || k > 65_535)) throw new Error('kinds: whole numbers from 0 to 65535, separated by commas');
          await admin('set_settings', { sensitiveKinds: list });
        }))}>
          <Field label="Kinds" testid="options-sensitive" value={kinds} onInput={(e) => setKinds(e.currentTarget.value)} />
          <Button type="submit" small testid="options-sensitive-save" disabled={fewerKinds}>Save</Button>
          <UnlockNote testid="options-sensitive-locked" text="Unlock to remove a sensitive kind" show={fewerKinds} />
        </form>
      </Card>
      <Card title="Relays (what getRelays returns)" headingLevel={3}>
        <form class="w-stack" onSubmit={(e) => (e.preventDefault(), save('relays', async () => admin('set_settings', { relays: parseRelays(relays) })))}>
          <div class="w-field">
            <label for="relays">One per line: URL, then read and/or write (both if neither)</label>
            <textarea id="relays" data-testid="options-relays" value={relays} onInput={(e) => setRelays(e.currentTarget.value)} placeholder="wss://relay.example read write" />
          </div>
          <div class="row"><Button type="submit" small testid="options-relays-save">Save</Button></div>
        </form>
      </Card>
      <Card title="Retention" headingLevel={3}>
        <p class="muted">Old entries are deleted hourly. The signing log is what caps count: an entry that any live cap still counts (inside its window, or ever for a lifetime cap) is kept whatever this says.</p>
        <form class="w-stack" onSubmit={(e) => (e.preventDefault(), save('retention', () => admin('set_retention', { activityDays: days(activityDays), signingLogDays: days(logDays) })))}>
          <div class="w-grid">
            <Field label="Activity: days (empty = forever)" testid="options-retention-activity" type="number" min={1} value={activityDays} onInput={(e) => setActivityDays(e.currentTarget.value)} />
            <Field label="Signing log: days (empty = forever)" testid="options-retention-log" type="number" min={1} value={logDays} onInput={(e) => setLogDays(e.currentTarget.value)} />
          </div>
          <div class="row">
            <Button type="submit" small testid="options-retention-save" disabled={shorterLogs}>Save</Button>
            <UnlockNote testid="options-retention-locked" text="Unlock to keep less of the log" show={shorterLogs} />
            <Button small testid="options-prune" onClick={() => save('prune', async () => {
              const r = await admin('prune_now');
              return `Pruned: ${r.signingLogDeleted} log entries and ${r.activityDeleted} activity rows deleted; ${r.signingLogKept} old log entries kept because a cap counts them.`;
            })}>Prune now</Button>
          </div>
        </form>
      </Card>
      {saved && <p class="ok" data-testid="options-settings-saved">{saved}</p>}
      <ErrorText testid="options-settings-error" error={action.error} />
    </div>
  );
}
