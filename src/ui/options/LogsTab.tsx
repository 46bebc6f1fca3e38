// The activity (every decision, with the rule or override that decided) and the signing log
// (what caps count), both keyset-paged and filterable; the signing log exports as JSON Lines and
// its hash chain can be checked here.
import { useState } from 'preact/hooks';
import { Badge, Button, Card, ErrorText, Field, Select } from '../components/index.tsx';
import { PagedTable } from '../components/PagedTable.tsx';
import { useAction, usePoll } from '../components/hooks.ts';
import { admin } from '../shared/rpc.ts';
import { isMethod } from '../../shared/methods.ts';
import { OUTCOMES as OUTCOME_LIST, type Outcome } from '../../policy/records.ts';
import type { LogCheckpoint, LogVerification } from '../../shared/adminResults.ts';
import { countText, METHOD_OPTIONS, OUTCOME_TONE, OUTCOMES, scopeText, timeText } from '../manage/format.ts';

const isOutcome = (value: string): value is Outcome => (OUTCOME_LIST as readonly string[]).includes(value);

export const PAGE_SIZE = 20;
const ANY = [['', 'any']] as const;

function SiteFilter({ testid, value, onChange }: { testid: string; value: string; onChange: (v: string) => void }) {
  const { data } = usePoll(() => admin('list_sites'), [], 10_000);
  return (
    <>
      <Field label="Site" testid={testid} list={`${testid}-list`} placeholder="any site" value={value} onInput={(e) => onChange(e.currentTarget.value.trim())} />
      <datalist id={`${testid}-list`}>{data?.origins.map((o) => <option key={o} value={o} />)}</datalist>
    </>
  );
}

const isOrigin = (s: string) => /^https?:\/\/[^/]+$/.test(s);

export function ActivityTab() {
  const [origin, setOrigin] = useState('');
  const [method, setMethod] = useState('');
  const [outcome, setOutcome] = useState('');
  const load = (before: number | undefined) =>
    admin('query_activity', {
      limit: PAGE_SIZE,
      ...(isOrigin(origin) ? { origin } : {}),
      ...(isMethod(method) ? { method } : {}),
      ...(isOutcome(outcome) ? { outcome } : {}),
      ...(before === undefined ? {} : { before }),
    });
  return (
    <Card title="Activity: every decision" headingLevel={3}>
      <div class="filters">
        <SiteFilter testid="options-activity-site" value={origin} onChange={setOrigin} />
        <Select label="Method" testid="options-activity-method" options={[...ANY, ...METHOD_OPTIONS]} value={method} onChange={(e) => setMethod(e.currentTarget.value)} />
        <Select label="Outcome" testid="options-activity-outcome" options={[...ANY, ...OUTCOMES.map((o) => [o, o] as const)]} value={outcome} onChange={(e) => setOutcome(e.currentTarget.value)} />
      </div>
      <PagedTable
        testid="options-activity"
        deps={[origin, method, outcome]}
        load={load}
        empty="No decisions match."
        columns={[
          { title: 'When', cell: (a) => timeText(a.createdAt) },
          { title: 'Site', cell: (a) => a.origin },
          { title: 'Request', cell: (a) => scopeText(a.method, a.kind) },
          {
            title: 'Outcome',
            cell: (a) => (
              <>
                <Badge tone={OUTCOME_TONE[a.outcome] ?? 'muted'}>{a.outcome}</Badge>
                {countText(a.count) && (
                  <span class="muted" data-testid="options-activity-count" title={`${a.count} decisions of this kind in a row, from the time shown`}>
                    {' '}
                    {countText(a.count)}
                  </span>
                )}
              </>
            ),
          },
          { title: 'Decided by', cell: (a) => <span class="muted">{a.reason}</span> },
        ]}
      />
    </Card>
  );
}

/**
 * The JSON Lines export: a header line (the chain's head and checkpoints, and the filter if any),
 * then one line per entry, newest first, with every field its hash covers. scripts/verify-log.mjs
 * checks such a file (docs/ARCHITECTURE.md, Signing-log hash chain).
 */
async function exportLog(origin: string, method: string): Promise<number> {
  const filter = { ...(isOrigin(origin) ? { origin } : {}), ...(isMethod(method) ? { method } : {}) };
  const lines: string[] = [];
  let head: string | null = null;
  let checkpoints: LogCheckpoint[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await admin('export_signing_log', { limit: 1000, ...filter, ...(before === undefined ? {} : { before }) });
    if (page.head !== undefined) head = page.head;
    if (page.checkpoints) checkpoints = page.checkpoints;
    for (const e of page.entries) lines.push(JSON.stringify(e));
    if (page.next === undefined) break;
    before = page.next;
  }
  const header = { warden: 'signing-log', format: 1, chain: 'warden-log/1', exportedAt: Date.now(), filter: Object.keys(filter).length ? filter : null, head, checkpoints };
  const url = URL.createObjectURL(new Blob([header, ...lines].map((l) => `${typeof l === 'string' ? l : JSON.stringify(l)}\n`), { type: 'application/x-ndjson' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `warden-signing-log-${new Date().toISOString().slice(0, 10)}.jsonl`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return lines.length;
}

/** The chain check: "intact, N entries" or the entry where it breaks, with the time it was checked. */
function ChainCheck() {
  const [result, setResult] = useState<LogVerification | null>(null);
  const action = useAction();
  return (
    <div class="chain-check" style={{ margin: '4px 0 10px' }}>
      <Button small testid="options-log-verify" disabled={action.busy} onClick={() => void action.run(async () => setResult(await admin('verify_log')))}>
        {action.busy ? 'Verifying…' : 'Verify chain'}
      </Button>{' '}
      {result ? (
        <span class={result.intact ? 'ok' : 'error'} data-testid="options-log-chain" data-intact={String(result.intact)} data-broken-id={result.firstBrokenId ?? ''}>
          {result.intact
            ? `Chain intact — ${result.entries} ${result.entries === 1 ? 'entry' : 'entries'}, checked at ${timeText(result.checkedAt)}`
            : `Chain broken at entry #${result.firstBrokenId}: altered, removed or reordered (checked at ${timeText(result.checkedAt)})`}
        </span>
      ) : (
        <span class="muted">Each entry carries the hash of the one before it: verify that none was altered, removed or reordered.</span>
      )}
      <ErrorText testid="options-log-verify-error" error={action.error} />
    </div>
  );
}

export function LogTab() {
  const [origin, setOrigin] = useState('');
  const [method, setMethod] = useState('');
  const [exported, setExported] = useState<number | null>(null);
  const action = useAction();
  const load = (before: number | undefined) =>
    admin('get_signing_log', { limit: PAGE_SIZE, ...(isOrigin(origin) ? { origin } : {}), ...(isMethod(method) ? { method } : {}), ...(before === undefined ? {} : { before }) });
  return (
    <Card
      title="Signing log: what caps count"
      headingLevel={3}
      actions={<Button small testid="options-log-export" disabled={action.busy} onClick={() => void action.run(async () => setExported(await exportLog(origin, method)))}>Export JSON Lines</Button>}
    >
      <div class="filters">
        <SiteFilter testid="options-log-site" value={origin} onChange={setOrigin} />
        <Select label="Method" testid="options-log-method" options={[...ANY, ...METHOD_OPTIONS.filter(([m]) => m !== 'get_public_key')]} value={method} onChange={(e) => setMethod(e.currentTarget.value)} />
      </div>
      <ChainCheck />
      {exported !== null && <p class="ok" data-testid="options-log-exported">{exported} entries exported.</p>}
      <ErrorText testid="options-log-error" error={action.error} />
      <PagedTable
        testid="options-log"
        deps={[origin, method]}
        load={load}
        empty="Nothing signed, encrypted or decrypted yet."
        columns={[
          { title: 'When', cell: (e) => timeText(e.createdAt) },
          { title: 'Site', cell: (e) => e.origin },
          { title: 'What', cell: (e) => scopeText(e.method, e.kind) },
          { title: 'Event id', cell: (e) => <span class="mono">{e.eventId ? `${e.eventId.slice(0, 16)}…` : '—'}</span> },
        ]}
      />
    </Card>
  );
}
