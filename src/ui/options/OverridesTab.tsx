// Manual overrides: list (live first), add, lift. A deny override beats every grant; an allow
// override allows without a grant (caps still bind).
import { useState } from 'preact/hooks';
import { Badge, Button, Card, Empty, ErrorText, Field, Select } from '../components/index.tsx';
import { useAction, usePoll } from '../components/hooks.ts';
import { admin } from '../shared/rpc.ts';
import { takesKind } from '../../shared/methods.ts';
import { scopeOf, METHOD_OPTIONS, scopeWithConstraints, timeText } from '../manage/format.ts';
import type { OverrideView } from '../manage/types.ts';
import { loosenLocked, UnlockNote } from '../manage/locked.tsx';

const DURATIONS = [['', 'until lifted'], ['3600', 'for 1 hour'], ['86400', 'for 1 day'], ['604800', 'for 1 week']] as const;

function AddOverride({ onDone }: { onDone: () => void }) {
  const [origin, setOrigin] = useState('');
  const [method, setMethod] = useState('sign_event');
  const [kind, setKind] = useState('');
  const [effect, setEffect] = useState('deny');
  const [duration, setDuration] = useState('');
  const action = useAction();
  return (
    <Card title="Add an override" headingLevel={3}>
      <form onSubmit={(e) => {
        e.preventDefault();
        void action.run(async () => {
          await admin('set_override', { origin: origin.trim(), ...scopeOf(method, kind), effect: effect === 'allow' ? 'allow' : 'deny', expiresAt: duration ? Date.now() + Number(duration) * 1000 : null });
          setKind('');
          onDone();
        });
      }}>
        <div class="w-grid">
          <Field label="Site (origin)" testid="options-override-origin" placeholder="https://example.com" required value={origin} onInput={(e) => setOrigin(e.currentTarget.value)} />
          <Select label="Method" testid="options-override-method" options={METHOD_OPTIONS} value={method} onChange={(e) => setMethod(e.currentTarget.value)} />
          {takesKind(method) && <Field label="Kind (empty = any)" testid="options-override-kind" inputMode="numeric" value={kind} onInput={(e) => setKind(e.currentTarget.value)} />}
          <Select label="Effect" testid="options-override-effect" options={[['deny', 'deny'], ['allow', 'allow']]} value={effect} onChange={(e) => setEffect(e.currentTarget.value)} />
          <Select label="For" testid="options-override-duration" options={DURATIONS} value={duration} onChange={(e) => setDuration(e.currentTarget.value)} />
        </div>
        <div class="row" style={{ marginTop: '8px' }}>
          {/* A deny tightens and works while locked; an allow loosens. */}
          <Button type="submit" variant="primary" small testid="options-override-add" disabled={action.busy || (effect === 'allow' && loosenLocked.value)}>Add override</Button>
          <UnlockNote testid="options-override-add-locked" show={effect === 'allow'} />
        </div>
        <ErrorText testid="options-override-error" error={action.error} />
      </form>
    </Card>
  );
}

export function OverridesTab() {
  const { data, refresh } = usePoll(() => admin('get_policies'), [], 2_000);
  const action = useAction();
  const now = Date.now();
  const live = (o: OverrideView) => o.revokedAt === null && (o.expiresAt === null || o.expiresAt > now);
  const rows = (data?.overrides ?? []).slice().sort((a, b) => Number(live(b)) - Number(live(a)) || b.id - a.id);
  return (
    <div data-testid="options-overrides">
      <AddOverride onDone={() => void refresh()} />
      <Card title="Overrides" headingLevel={3}>
        {!data ? <p class="muted">Loading…</p> : rows.length === 0 ? <Empty>No overrides.</Empty> : (
          <table class="w-table">
            <thead><tr><th scope="col">Site</th><th scope="col">What</th><th scope="col">Effect</th><th scope="col">Since</th><th scope="col">Status</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {rows.map((o) => (
                <tr key={o.id} data-testid="options-override-row" data-id={o.id} class={live(o) ? undefined : 'past'}>
                  <td>{o.origin}</td>
                  <td data-testid="options-override-scope">{scopeWithConstraints(o.method, o.kind, o)}</td>
                  <td><Badge tone={o.effect === 'deny' ? 'danger' : 'ok'}>{o.effect}</Badge></td>
                  <td>{timeText(o.createdAt)}</td>
                  <td>{live(o) ? (o.expiresAt ? `until ${timeText(o.expiresAt)}` : 'live') : o.revokedAt ? `lifted ${timeText(o.revokedAt)}` : 'expired'}</td>
                  <td>{live(o) && o.effect === 'deny' && <UnlockNote testid="options-override-lift-locked" />}{live(o) && <Button small testid="options-override-lift" disabled={o.effect === 'deny' && loosenLocked.value} onClick={() => void action.run(async () => (await admin('revoke_override', { overrideId: o.id }), refresh()))}>Lift</Button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <ErrorText testid="options-overrides-error" error={action.error} />
      </Card>
    </div>
  );
}
