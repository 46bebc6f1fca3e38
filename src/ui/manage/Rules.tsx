// A grant's rules with live usage meters, inline retune of a cap (count and window), delete, and
// adding a rule. Shared by the popup (current site) and the options page (every site).
import { useState } from 'preact/hooks';
import { Badge, Button, ErrorText, Field, Meter, Select } from '../components/index.tsx';
import { useAction } from '../components/hooks.ts';
import { admin } from '../shared/rpc.ts';
import { isConsequential, isMethod, takesKind } from '../../shared/methods.ts';
import { capImpact } from '../../policy/impact.ts';
import { loosenLocked, UnlockNote } from './locked.tsx';
import { constraintText, scopeOf, METHOD_OPTIONS, parseCount, scopeText, timeText, windowOptionsWith, windowPhrase, WINDOW_OPTIONS } from './format.ts';
import type { GrantView, RuleUsage } from './types.ts';

/** Reads (public key, relays) are never logged nor capped: they have no meter. */
const counted = (method: string) => isMethod(method) && isConsequential(method);

function meterText(r: RuleUsage): { label: string; note: string | null } {
  if (!counted(r.method)) return { label: 'allowed · reads are not counted', note: null };
  if (r.maxUsageCount === null) return { label: `${r.used} ${windowPhrase(r.windowSeconds)} · no cap`, note: null };
  const label = `${r.used} / ${r.maxUsageCount} ${windowPhrase(r.windowSeconds)}`;
  if (r.windowSeconds === null) return { label, note: r.used >= r.maxUsageCount ? 'spent for good' : `${r.maxUsageCount - r.used} left` };
  if (r.freesAt === null) return { label, note: `${r.maxUsageCount - r.used} left` };
  return { label, note: r.used >= r.maxUsageCount ? `full · frees at ${timeText(r.freesAt)}` : `${r.maxUsageCount - r.used} left · next frees ${timeText(r.freesAt)}` };
}

function RuleRow({ rule, prefix, onChanged, editable }: { rule: RuleUsage; prefix: string; onChanged: () => void; editable: boolean }) {
  const [editing, setEditing] = useState(false);
  const [count, setCount] = useState(rule.maxUsageCount === null ? '' : String(rule.maxUsageCount));
  const [win, setWin] = useState(rule.windowSeconds === null ? '' : String(rule.windowSeconds));
  const action = useAction();
  const { label, note } = meterText(rule);
  const locked = loosenLocked.value;
  const max = parseCount(count);
  // While locked only a change that tightens can be saved (the background refuses the rest).
  const proposed = { maxUsageCount: max instanceof Error ? rule.maxUsageCount : max, windowSeconds: win === '' ? null : Number(win) };
  const raises = locked && capImpact(rule, proposed) === 'loosens';
  const save = () =>
    action.run(async () => {
      const max = parseCount(count);
      if (max instanceof Error) throw max;
      await admin('update_policy_rule', { ruleId: rule.id, maxUsageCount: max, windowSeconds: win === '' ? null : Number(win) });
      setEditing(false);
      onChanged();
    });
  return (
    <div class="w-rule" data-testid={`${prefix}-rule`} data-rule-id={rule.id}>
      <div class="head">
        <span class="scope">{scopeText(rule.method, rule.kind)}</span>
        {rule.expiresAt !== null && <Badge tone="muted">until {timeText(rule.expiresAt)}</Badge>}
        {!rule.live && <Badge tone="muted">ended</Badge>}
        {editable && !editing && counted(rule.method) && (
          <Button small testid={`${prefix}-rule-edit`} aria-label={`Change the cap of: ${scopeText(rule.method, rule.kind)}`} onClick={() => setEditing(true)}>
            {rule.maxUsageCount === null ? 'Add a cap' : 'Retune'}
          </Button>
        )}
        {/* Deleting a capped rule removes a cap: that loosens. */}
        {editable && rule.maxUsageCount !== null && <UnlockNote testid={`${prefix}-rule-delete-locked`} />}
        {editable && (
          <Button small variant="danger" testid={`${prefix}-rule-delete`} disabled={locked && rule.maxUsageCount !== null} aria-label={`Delete the rule: ${scopeText(rule.method, rule.kind)}`} onClick={() => void action.run(async () => (await admin('delete_policy_rule', { ruleId: rule.id }), onChanged()))}>
            Delete
          </Button>
        )}
      </div>
      {/* On its own line: the narrowing is part of what the rule is, not a detail beside its buttons. */}
      {constraintText(rule) && (
        <div class="w-constraint" data-testid={`${prefix}-rule-constraint`} title={[...(rule.peers ?? []), ...(rule.relays ?? []), ...(rule.urls ?? [])].join('\n')}>
          — {constraintText(rule)}
        </div>
      )}
      <Meter testid={`${prefix}-meter`} used={rule.used} max={rule.maxUsageCount} label={label} note={note} />
      {editing && (
        <form class="edit" onSubmit={(e) => (e.preventDefault(), void save())}>
          <Field label="Cap (empty = none)" testid={`${prefix}-rule-count`} type="number" min={1} value={count} onInput={(e) => setCount(e.currentTarget.value)} />
          <Select label="Window" testid={`${prefix}-rule-window`} options={windowOptionsWith(rule.windowSeconds)} value={win} onChange={(e) => setWin(e.currentTarget.value)} />
          <Button type="submit" variant="primary" small testid={`${prefix}-rule-save`} disabled={action.busy || raises}>
            Save
          </Button>
          <UnlockNote testid={`${prefix}-rule-save-locked`} text="Unlock to raise or remove a cap" show={raises} />
          <Button small testid={`${prefix}-rule-cancel`} onClick={() => setEditing(false)}>
            Cancel
          </Button>
        </form>
      )}
      <ErrorText testid={`${prefix}-rule-error`} error={action.error} />
    </div>
  );
}

export function RuleList({ grant, prefix, onChanged }: { grant: GrantView; prefix: string; onChanged: () => void }) {
  if (!grant.rules.length) return <p class="w-empty">No rules: this grant allows nothing by itself.</p>;
  return (
    <div>
      {grant.rules.map((r) => (
        <RuleRow key={`${r.id}:${r.maxUsageCount}:${r.windowSeconds}`} rule={r} prefix={prefix} onChanged={onChanged} editable={grant.live} />
      ))}
    </div>
  );
}

/** Adds a rule to the site's live grant, or makes the grant if there is none. */
export function AddRule({ origin, grant, prefix, onChanged }: { origin: string; grant: GrantView | undefined; prefix: string; onChanged: () => void }) {
  const [method, setMethod] = useState('sign_event');
  const [kind, setKind] = useState('');
  const [count, setCount] = useState('');
  const [win, setWin] = useState('3600');
  const action = useAction();
  const locked = loosenLocked.value;
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const scope = scopeOf(method, kind);
      const max = counted(method) ? parseCount(count) : null;
      if (max instanceof Error) throw max;
      const rule = { ...scope, maxUsageCount: max, windowSeconds: max === null || win === '' ? null : Number(win) };
      if (grant?.live) await admin('add_policy_rule', { grantId: grant.id, ...rule });
      else await admin('grant', { origin, rules: [rule] });
      setKind('');
      setCount('');
      onChanged();
    });
  };
  return (
    <form onSubmit={submit} data-testid={`${prefix}-add-rule`}>
      <div class="w-grid">
        <Select label="Method" testid={`${prefix}-add-method`} options={METHOD_OPTIONS} value={method} onChange={(e) => setMethod(e.currentTarget.value)} />
        {takesKind(method) && <Field label="Kind (empty = any)" testid={`${prefix}-add-kind`} inputMode="numeric" value={kind} onInput={(e) => setKind(e.currentTarget.value)} />}
        {/* Only what the signing log counts can have a cap. */}
        {counted(method) && <Field label="Cap (empty = none)" testid={`${prefix}-add-count`} type="number" min={1} value={count} onInput={(e) => setCount(e.currentTarget.value)} />}
        {counted(method) && <Select label="Window" testid={`${prefix}-add-window`} options={WINDOW_OPTIONS} value={win} onChange={(e) => setWin(e.currentTarget.value)} />}
      </div>
      <div class="row" style={{ marginTop: '8px' }}>
        <Button type="submit" variant="primary" small testid={`${prefix}-add-submit`} disabled={action.busy || locked}>
          {grant?.live ? 'Add rule' : 'Grant this rule'}
        </Button>
        <UnlockNote testid={`${prefix}-add-locked`} />
      </div>
      <ErrorText testid={`${prefix}-add-error`} error={action.error} />
    </form>
  );
}
