// "Try a request": what the guard would decide now, and why — computed in the background by the
// same records, counts and decide() (admin explain_request), with nothing signed or logged.
import { useState } from 'preact/hooks';
import { Badge, Button, Card, ErrorText, Field, Select } from '../components/index.tsx';
import { useAction, usePoll } from '../components/hooks.ts';
import { admin } from '../shared/rpc.ts';
import { takesKind } from '../../shared/methods.ts';
import { scopeOf, METHOD_OPTIONS, OUTCOME_TONE, timeText, windowPhrase } from '../manage/format.ts';
import type { AdminResults } from '../../shared/adminResults.ts';

/** "rule #4 allows; 3 of 5 left this hour; frees at 14:05" */
export function explainText(e: AdminResults['explain_request']): string {
  const caps = e.caps.map((c) => `${c.left} of ${c.maxUsageCount} left ${windowPhrase(c.windowSeconds)}${c.freesAt !== null ? `; frees at ${timeText(c.freesAt)}` : ''}`);
  const by = e.decidedBy;
  let head: string;
  if (e.outcome === 'allow') head = by?.type === 'override' ? `allow override #${by.id} allows` : `rule #${by?.id} allows`;
  else if (e.outcome === 'deny') head = `deny override #${by?.id} refuses`;
  else if (e.outcome === 'cap_exceeded') head = `the cap of rule #${by?.id} is spent: refused`;
  else head = e.askReason === 'cap_reached' ? `the cap of rule #${by?.id} is spent: Warden would ask you (the grant says ask)` : 'no rule covers it: Warden would ask you';
  const lock = e.vault === 'locked' ? ' (the signer is locked: it would first ask you to unlock)' : '';
  return [head + lock, ...caps].join('; ');
}

export function TryTab() {
  const { data: sites } = usePoll(() => admin('list_sites'), [], 10_000);
  const [origin, setOrigin] = useState('');
  const [method, setMethod] = useState('sign_event');
  const [kind, setKind] = useState('1');
  const [result, setResult] = useState<AdminResults['explain_request'] | null>(null);
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      setResult(await admin('explain_request', { origin: origin.trim(), ...scopeOf(method, kind) }));
    });
  };
  return (
    <Card title="Try a request" headingLevel={3}>
      <p class="muted">What would happen if this site asked now — decided exactly as a real request is, but nothing is signed or logged.</p>
      <form onSubmit={submit}>
        <div class="w-grid">
          <Field label="Site (origin)" testid="options-try-origin" list="try-sites" placeholder="https://example.com" required value={origin} onInput={(e) => setOrigin(e.currentTarget.value)} />
          <datalist id="try-sites">{sites?.origins.map((o) => <option key={o} value={o} />)}</datalist>
          <Select label="Method" testid="options-try-method" options={METHOD_OPTIONS} value={method} onChange={(e) => setMethod(e.currentTarget.value)} />
          {takesKind(method) && <Field label="Kind" testid="options-try-kind" inputMode="numeric" value={kind} onInput={(e) => setKind(e.currentTarget.value)} />}
        </div>
        <div class="row" style={{ marginTop: '8px' }}>
          <Button type="submit" variant="primary" small testid="options-try-submit" disabled={action.busy}>Try</Button>
        </div>
      </form>
      <ErrorText testid="options-try-error" error={action.error} />
      {result && (
        <div class="result" data-testid="options-try-result">
          <Badge tone={OUTCOME_TONE[result.outcome] ?? 'warn'} testid="options-try-outcome">{result.outcome}</Badge>{' '}
          <span data-testid="options-try-text">{explainText(result)}</span>
        </div>
      )}
    </Card>
  );
}
