// The popup's current site: pause/resume, its live grant with meters and inline retune, add a
// rule, revoke, and its latest activity. Re-read when the background says something changed: a
// change made here binds on the site's very next request, and the meters move while the popup is open.
import { useState } from 'preact/hooks';
import { Badge, Button, Card, Empty, ErrorText } from '../components/index.tsx';
import { Confirm } from '../components/Confirm.tsx';
import { useAction, usePoll } from '../components/hooks.ts';
import { admin } from '../shared/rpc.ts';
import { AddRule, RuleList } from '../manage/Rules.tsx';
import { loosenLocked, UnlockNote } from '../manage/locked.tsx';
import { agoText, countText, OUTCOME_TONE, scopeText, scopeWithConstraints, timeText } from '../manage/format.ts';
import { RemoteName } from '../components/RemoteName.tsx';

export function SitePanel({ origin }: { origin: string }) {
  const { data, error, refresh } = usePoll(() => admin('get_site_view', { origin, activityLimit: 6 }), [origin]);
  const [confirmRevoke, setConfirmRevoke] = useState(false);
  const action = useAction();
  if (error) return <ErrorText testid="popup-error" error={error} />;
  if (!data) return <p class="muted">Loading…</p>;
  const live = data.grants.find((g) => g.live);
  const done = () => void refresh();
  return (
    <div data-testid="popup-site-panel" data-ready="true">
      <div class="w-split" style={{ margin: '6px 0' }}>
        <div class="grow">
          {data.remote && <RemoteName remote={data.remote} testid="popup-remote-name" />}
          <div class={data.remote ? 'site-remote mono' : 'site'} data-testid="popup-site">{origin}</div>
          <div data-testid="popup-site-status">
            {data.paused ? <Badge tone="danger">paused</Badge> : live ? <Badge tone="ok">granted {agoText(live.createdAt)}</Badge> : <Badge tone="muted">no grant: it asks</Badge>}
            {live?.expiresAt != null && <> <Badge tone="muted">until {timeText(live.expiresAt)}</Badge></>}
          </div>
        </div>
        {!data.paused && (
          <Button testid="popup-pause" title="Refuse every request from this site until you resume" onClick={() => void action.run(async () => (await admin('pause_site', { origin }), done()))}>
            Pause site
          </Button>
        )}
      </div>
      {data.paused && (
        <div class="paused" role="status">
          <span>Paused: every request from this site is refused.</span>
          <UnlockNote testid="popup-resume-locked" />
          <Button variant="primary" small testid="popup-resume" disabled={loosenLocked.value} onClick={() => void action.run(async () => (await admin('resume_site', { origin }), done()))}>
            Resume
          </Button>
        </div>
      )}
      <ErrorText testid="popup-action-error" error={action.error} />

      <Card
        title={live ? `Grant #${live.id}` : 'No grant'}
        headingLevel={3}
        actions={live && <Button small variant="danger" testid="popup-revoke" onClick={() => setConfirmRevoke(true)}>Revoke</Button>}
      >
        {live ? <RuleList grant={live} prefix="popup" onChanged={done} /> : <Empty>Requests from this site ask you first. Add a rule to allow some without asking.</Empty>}
        <details data-testid="popup-add-details" open={!live}>
          <summary>Add a rule</summary>
          <AddRule origin={origin} grant={live} prefix="popup" onChanged={done} />
        </details>
      </Card>

      {data.overrides.filter((o) => o.live && !(data.paused && o.effect === 'deny' && o.kind === null)).length > 0 && (
        <Card title="Overrides" headingLevel={3}>
          {data.overrides.filter((o) => o.live).map((o) => (
            <div key={o.id} class="w-split" data-testid="popup-override">
              <Badge tone={o.effect === 'deny' ? 'danger' : 'ok'}>{o.effect}</Badge>
              <span class="grow" data-testid="popup-override-scope">{scopeWithConstraints(o.method, o.kind, o)}</span>
              {o.expiresAt !== null && <span class="muted">until {timeText(o.expiresAt)}</span>}
            </div>
          ))}
        </Card>
      )}

      <Card title="Recent activity" headingLevel={3}>
        {data.activity.length === 0 ? (
          <Empty>Nothing yet.</Empty>
        ) : (
          <ul class="activity" data-testid="popup-activity">
            {data.activity.map((a) => (
              <li key={a.id} data-testid="popup-activity-row" title={a.reason}>
                <Badge tone={OUTCOME_TONE[a.outcome] ?? 'muted'}>{a.outcome.replace('_', ' ')}</Badge>
                {countText(a.count) && <span data-testid="popup-activity-count">{countText(a.count)}</span>}
                <span class="what">{scopeText(a.method, a.kind)}</span>
                <span class="muted">{agoText(a.createdAt)}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>

      <Confirm
        open={confirmRevoke}
        title="Revoke this grant?"
        confirmText="Revoke"
        onCancel={() => setConfirmRevoke(false)}
        onConfirm={() => {
          setConfirmRevoke(false);
          if (live) void action.run(async () => (await admin('revoke_grant', { grantId: live.id }), done()));
        }}
      >
        <p>{origin} will have to ask again for everything. Its usage history is kept: re-granting does not reset a cap.</p>
      </Confirm>
    </div>
  );
}
