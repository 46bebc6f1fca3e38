// Remote signing (NIP-46): turn the bunker on or off and choose its relays, make a connect token
// (a bunker:// URL and its QR code) with the rules it grants, and see the connected clients with
// their grants and meters, each with a revoke. The policy is the same as a site's: a client's
// grant is shown and changed like any other (docs/ARCHITECTURE.md, Remote signing).
import { useEffect, useState } from 'preact/hooks';
import QRCode from 'qrcode';
import { Badge, Button, Card, Empty, ErrorText, Field, Meter } from '../components/index.tsx';
import { useAction, usePoll } from '../components/hooks.ts';
import { admin } from '../shared/rpc.ts';
import { loosenLocked, UnlockNote } from '../manage/locked.tsx';
import { agoText, timeText } from '../manage/format.ts';
import { shortKey, tokenRules, type TokenChoice } from './bunkerRules.ts';

function Switch() {
  const { data, refresh } = usePoll(() => admin('bunker_status'), [], 2_000);
  const [relays, setRelays] = useState('');
  const action = useAction();
  useEffect(() => {
    if (data && !relays && data.relays.length) setRelays(data.relays.map((r) => r.url).join('\n'));
  }, [data]);
  if (!data) return <p class="muted">Loading…</p>;
  const list = relays.split('\n').map((l) => l.trim()).filter(Boolean);
  return (
    <Card title="Remote signing" headingLevel={3} testid="options-remote-switch">
      <p class="muted">Other apps and devices sign with your key through these relays, under the same rules, caps and prompts as a website. Only a client that connects with a token you make here is heard.</p>
      <div class="row">
        <Badge tone={data.running ? 'ok' : 'muted'} testid="options-remote-state">{data.running ? 'On' : 'Off'}</Badge>
        {data.relays.map((r) => (
          <Badge key={r.url} tone={r.connected ? 'ok' : 'warn'} testid="options-remote-relay">{r.url} {r.connected ? 'connected' : 'connecting…'}</Badge>
        ))}
      </div>
      <div class="w-field">
        <label for="remote-relays">Relays, one per line (ws:// or wss://)</label>
        <textarea id="remote-relays" data-testid="options-remote-relays" value={relays} onInput={(e) => setRelays(e.currentTarget.value)} placeholder="wss://relay.example" />
      </div>
      <div class="row">
        <Button variant="primary" small testid="options-remote-start" disabled={loosenLocked.value || !list.length} onClick={() => void action.run(async () => (await admin('bunker_start', { relays: list }), refresh()))}>
          {data.running ? 'Use these relays' : 'Turn on'}
        </Button>
        {data.running && <Button small testid="options-remote-stop" onClick={() => void action.run(async () => (await admin('bunker_stop'), refresh()))}>Turn off</Button>}
        <UnlockNote testid="options-remote-locked" text="Unlock to turn remote signing on" />
      </div>
      <ErrorText testid="options-remote-error" error={action.error} />
    </Card>
  );
}

function NewToken() {
  const [choice, setChoice] = useState<TokenChoice>({ pubkey: true, notes: true, notesPerHour: '20', dms: false });
  const [label, setLabel] = useState('');
  const [hours, setHours] = useState('24');
  const [made, setMade] = useState<{ bunkerUrl: string; qr: string; token: string } | null>(null);
  const action = useAction();
  const set = (patch: Partial<TokenChoice>) => setChoice({ ...choice, ...patch });
  const create = () =>
    void action.run(async () => {
      const expiresAt = hours.trim() === '' ? null : Date.now() + Number(hours) * 3_600_000;
      const { token, bunkerUrl } = await admin('create_connect_token', { rules: tokenRules(choice), expiresAt, label: label || undefined });
      const svg = await QRCode.toString(bunkerUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
      setMade({ token, bunkerUrl, qr: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}` });
    });
  return (
    <Card title="Connect an app" headingLevel={3} testid="options-remote-token">
      <p class="muted">A token connects one client once. The client gets a grant with these rules; anything else it asks for opens a prompt.</p>
      <div class="w-stack">
        <label><input type="checkbox" data-testid="options-token-pubkey" checked={choice.pubkey} onChange={(e) => set({ pubkey: e.currentTarget.checked })} /> Read your public key</label>
        <label><input type="checkbox" data-testid="options-token-notes" checked={choice.notes} onChange={(e) => set({ notes: e.currentTarget.checked })} /> Sign notes (kind 1)</label>
        {choice.notes && <Field label="Notes per hour (empty = no cap)" testid="options-token-cap" type="number" min={1} value={choice.notesPerHour} onInput={(e) => set({ notesPerHour: e.currentTarget.value })} />}
        <label><input type="checkbox" data-testid="options-token-dms" checked={choice.dms} onChange={(e) => set({ dms: e.currentTarget.checked })} /> Encrypt and decrypt (NIP-44)</label>
        <div class="w-grid">
          <Field label="Name (for you)" testid="options-token-label" value={label} onInput={(e) => setLabel(e.currentTarget.value)} placeholder="Phone" />
          <Field label="Token valid for hours (empty = until used)" testid="options-token-hours" type="number" min={1} value={hours} onInput={(e) => setHours(e.currentTarget.value)} />
        </div>
        <div class="row">
          <Button variant="primary" small testid="options-token-create" disabled={loosenLocked.value || !tokenRules(choice).length} onClick={create}>Make a connect token</Button>
          <UnlockNote testid="options-token-locked" text="Unlock to make a token" />
        </div>
      </div>
      {made && (
        <div class="w-stack" data-testid="options-token-made">
          <img src={made.qr} alt="QR code of the bunker URL" width={220} height={220} data-testid="options-token-qr" />
          <code class="break" data-testid="options-token-url">{made.bunkerUrl}</code>
          <div class="row">
            <Button small testid="options-token-copy" onClick={() => void navigator.clipboard?.writeText(made.bunkerUrl)}>Copy</Button>
            <Button small testid="options-token-revoke" onClick={() => void action.run(async () => (await admin('revoke_connect_token', { token: made.token }), setMade(null)))}>Revoke this token</Button>
          </div>
        </div>
      )}
      <ErrorText testid="options-token-error" error={action.error} />
    </Card>
  );
}

function ClientRow({ origin, name, connectedAt }: { origin: string; name?: string; connectedAt: number }) {
  const { data } = usePoll(() => admin('get_site_view', { origin }), [origin]);
  const action = useAction();
  const live = data?.grants.find((g) => g.live);
  return (
    <li data-testid="options-remote-client" data-origin={origin}>
      <div class="w-split">
        <div class="grow">
          <strong>{name ?? 'Unnamed client'}</strong> <span class="muted" title={origin}>{shortKey(origin)}</span>{' '}
          <span class="muted">connected {agoText(connectedAt)}</span>
        </div>
        <Button small variant="danger" testid="options-remote-client-revoke" onClick={() => void action.run(() => admin('end_remote_client', { pubkey: origin.replace(/^nip46:/, '') }))}>
          Revoke
        </Button>
      </div>
      {live ? (
        <ul class="w-stack">
          {live.rules.map((r) => (
            <li key={r.id}>
              {r.maxUsageCount !== null ? (
                <Meter used={r.used} max={r.maxUsageCount} label={`${r.method}${r.kind !== null ? ` kind ${r.kind}` : ''}: ${r.used} of ${r.maxUsageCount}`} note={r.freesAt ? `frees ${timeText(r.freesAt)}` : null} testid="options-remote-client-meter" />
              ) : (
                <span>{r.method}{r.kind !== null ? ` kind ${r.kind}` : ''} <span class="muted">no cap</span></span>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">No live grant: every request asks.</p>
      )}
      <ErrorText testid="options-remote-client-error" error={action.error} />
    </li>
  );
}

function Clients() {
  const { data } = usePoll(() => admin('bunker_status'), [], 2_000);
  const tokens = usePoll(() => admin('list_connect_tokens'), [], 5_000);
  return (
    <Card title="Connected clients" headingLevel={3} testid="options-remote-clients">
      {!data?.clients.length ? <Empty testid="options-remote-no-clients">No client has connected.</Empty> : <ul class="w-stack">{data.clients.map((c) => <ClientRow key={c.origin} {...c} />)}</ul>}
      {!!tokens.data?.tokens.length && (
        <>
          <h4>Tokens not used yet</h4>
          <ul class="w-stack">
            {tokens.data.tokens.map((t) => (
              <li key={t.hash} data-testid="options-remote-open-token" class="w-split">
                <span class="grow">{t.label || 'Unnamed'} <span class="muted">{t.used}/{t.uses} used{t.expiresAt ? `, until ${timeText(t.expiresAt)}` : ''}</span></span>
                <Button small testid="options-remote-open-token-revoke" onClick={() => void admin('revoke_connect_token', { hash: t.hash }).then(tokens.refresh)}>Revoke</Button>
              </li>
            ))}
          </ul>
        </>
      )}
    </Card>
  );
}

export function RemoteTab() {
  return (
    <div data-testid="options-remote">
      <Switch />
      <NewToken />
      <Clients />
    </div>
  );
}
