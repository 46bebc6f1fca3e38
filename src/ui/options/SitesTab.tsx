// Every site with a grant or an override: its live grant (rules, meters, retune), past grants,
// pause/resume, revoke, and NIP-46 perms strings in and out.
import { useState } from 'preact/hooks';
import { Badge, Button, Card, Empty, ErrorText, Field } from '../components/index.tsx';
import { useAction, usePoll } from '../components/hooks.ts';
import { admin } from '../shared/rpc.ts';
import { parsePerms } from '../../shared/perms.ts';
import { AddRule, RuleList } from '../manage/Rules.tsx';
import { loosenLocked, UnlockNote } from '../manage/locked.tsx';
import { scopeText, scopeWithConstraints, timeText } from '../manage/format.ts';
import type { GrantView } from '../manage/types.ts';
import type { AdminResults } from '../../shared/adminResults.ts';

function PastGrant({ g }: { g: GrantView }) {
  const ended = g.revokedAt !== null ? `revoked ${timeText(g.revokedAt)}` : g.expiresAt !== null ? `expired ${timeText(g.expiresAt)}` : 'ended with its browser session';
  return (
    <li data-testid="options-past-grant">
      Grant #{g.id} · {timeText(g.createdAt)} → {ended} · {g.rules.map((r) => scopeWithConstraints(r.method, r.kind, r)).join(', ') || 'no rules'}
    </li>
  );
}

function PermsExport({ grantId }: { grantId: number }) {
  const [out, setOut] = useState<AdminResults['export_perms'] | null>(null);
  const action = useAction();
  return (
    <div>
      <Button small testid="options-perms-export" onClick={() => void action.run(async () => setOut(await admin('export_perms', { grantId })))}>
        Export as perms string
      </Button>
      {out && (
        <div class="w-stack" style={{ marginTop: '6px' }}>
          <input class="mono-box" readOnly aria-label="NIP-46 perms string" data-testid="options-perms-text" value={out.perms} onFocus={(e) => e.currentTarget.select()} />
          {out.capped > 0 && <span class="muted">{out.capped} capped rule(s): a perms string carries no caps.</span>}
          {out.notCarried.length > 0 && (
            <span class="warn" data-testid="options-perms-not-carried">
              Left out, because a perms string cannot name peers, relays or URLs (the other side will ask for these):{' '}
              {out.notCarried.map((r) => scopeWithConstraints(r.method, r.kind, r)).join('; ')}
            </span>
          )}
        </div>
      )}
      <ErrorText testid="options-perms-export-error" error={action.error} />
    </div>
  );
}

function SiteCard({ origin }: { origin: string }) {
  const { data, refresh } = usePoll(() => admin('get_site_view', { origin, activityLimit: 0 }), [origin], 3_000);
  const action = useAction();
  if (!data) return <Card title={origin} headingLevel={3}><p class="muted">Loading…</p></Card>;
  const live = data.grants.find((g) => g.live);
  const past = data.grants.filter((g) => !g.live);
  const done = () => void refresh();
  return (
    <div class="site-card" data-testid="options-site" data-origin={origin}>
      <Card
        headingLevel={3}
        title={<>{origin} {data.paused ? <Badge tone="danger">paused</Badge> : live ? <Badge tone="ok">granted</Badge> : <Badge tone="muted">asks</Badge>}</>}
        actions={
          <>
            {data.paused ? (
              <>
                <UnlockNote testid="options-site-resume-locked" />
                <Button small variant="primary" testid="options-site-resume" disabled={loosenLocked.value} onClick={() => void action.run(async () => (await admin('resume_site', { origin }), done()))}>Resume</Button>
              </>
            ) : (
              <Button small testid="options-site-pause" onClick={() => void action.run(async () => (await admin('pause_site', { origin }), done()))}>Pause</Button>
            )}
            {live && <Button small variant="danger" testid="options-site-revoke" onClick={() => void action.run(async () => (await admin('revoke_grant', { grantId: live.id }), done()))}>Revoke</Button>}
          </>
        }
      >
        {live ? <RuleList grant={live} prefix="options" onChanged={done} /> : <Empty>No live grant: every request asks.</Empty>}
        <details data-testid="options-add-details">
          <summary>Add a rule</summary>
          <AddRule origin={origin} grant={live} prefix="options" onChanged={done} />
        </details>
        {live && <PermsExport grantId={live.id} />}
        {past.length > 0 && (
          <details data-testid="options-past-details">
            <summary>{past.length} past grant(s)</summary>
            <ul class="past">{past.map((g) => <PastGrant key={g.id} g={g} />)}</ul>
          </details>
        )}
        <ErrorText testid="options-site-error" error={action.error} />
      </Card>
    </div>
  );
}

function PermsImport({ onDone }: { onDone: () => void }) {
  const [origin, setOrigin] = useState('');
  const [text, setText] = useState('');
  const [result, setResult] = useState<string | null>(null);
  const action = useAction();
  const parsed = text.trim() ? parsePerms(text) : null;
  return (
    <Card title="Import a NIP-46 perms string" headingLevel={3}>
      <form class="w-stack" onSubmit={(e) => {
        e.preventDefault();
        void action.run(async () => {
          const r = await admin('import_perms', { origin: origin.trim(), perms: text });
          setResult(`Grant #${r.grantId}: ${r.added.length} rule(s) added, ${r.present.length} already there.`);
          onDone();
        });
      }}>
        <div class="w-grid">
          <Field label="Site (origin)" testid="options-perms-origin" placeholder="https://example.com" required value={origin} onInput={(e) => setOrigin(e.currentTarget.value)} />
          <Field label="Perms" testid="options-perms-input" placeholder="sign_event:1,nip44_encrypt" required value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </div>
        <div data-testid="options-perms-preview" class="muted">
          {parsed === null ? 'Rules are added to the site\'s live grant (or a new one), without caps, peers, relays or URLs (a perms string cannot name them).' : parsed.ok ? `Will allow: ${parsed.perms.map((p) => scopeText(p.method, p.kind)).join('; ') || 'nothing'}` : <span class="error">{parsed.error}</span>}
        </div>
        <div class="row">
          <Button type="submit" variant="primary" small testid="options-perms-import" disabled={action.busy || loosenLocked.value || (parsed !== null && !parsed.ok)}>Import</Button>
          <UnlockNote testid="options-perms-import-locked" />
          {result && <span class="ok" data-testid="options-perms-result">{result}</span>}
        </div>
        <ErrorText testid="options-perms-error" error={action.error} />
      </form>
    </Card>
  );
}

export function SitesTab() {
  const { data, refresh } = usePoll(() => admin('list_sites'), [], 3_000);
  return (
    <div data-testid="options-sites">
      {!data ? <p class="muted">Loading…</p> : data.origins.length === 0 ? <Empty testid="options-sites-empty">No site has a grant or an override yet. Sites appear here once you allow or deny them something.</Empty> : data.origins.map((o) => <SiteCard key={o} origin={o} />)}
      <PermsImport onDone={() => void refresh()} />
    </div>
  );
}
