// The answer: allow or deny, this once or remembered, for how long, with an optional cap.
import { useEffect, useRef, useState } from 'preact/hooks';
import { PRESETS, type Preset } from '../../policy/presets.ts';
import { isConsequential, takesKind } from '../../shared/methods.ts';
import { admin } from '../shared/rpc.ts';
import { npubEncode } from 'nostr-tools/nip19';
import { shortNpub } from '../manage/format.ts';
import { groupNoun, type PromptView } from './types.ts';

/** Input is accepted only this long after a request is shown, so a stray double-click or key repeat cannot answer it. */
export const CLICK_DELAY_MS = 600;

function ruleText(r: { method: string; kind?: number | null; maxUsageCount?: number | null; windowSeconds?: number | null; giftWraps?: boolean | null }): string {
  const what = takesKind(r.method) ? `sign kind ${r.kind}` : `${r.method.replaceAll('_', ' ')}${r.giftWraps ? ' (direct messages only)' : ''}`;
  const cap = r.maxUsageCount ? `, at most ${r.maxUsageCount} per ${r.windowSeconds === 86_400 ? 'day' : `${r.windowSeconds} s`}` : '';
  return what + cap;
}

type Scope = 'once' | 'kind' | 'method' | 'peer' | 'relay' | 'url';
const SCOPES: readonly string[] = ['once', 'kind', 'method', 'peer', 'relay', 'url'];
const scopeOf = (value: string): Scope => (SCOPES.includes(value) ? (value as Scope) : 'once');

/**
 * "Always for this person / relay / URL": offered only when the request names one (the background
 * refuses the rest). For a direct message the person is the sender inside the gift wrap.
 */
function targetChoices(p: PromptView): [Scope, string][] {
  const t = p.target;
  const out: [Scope, string][] = [];
  const person = t?.dm?.sender ?? t?.peer;
  if (person) out.push(['peer', t?.dm ? `Always for this person's direct messages (${shortNpub(npubEncode(person))})` : `Always for this person (${shortNpub(npubEncode(person))})`]);
  if (p.kind === 22242 && t?.relay) out.push(['relay', `Always for this relay (${t.relay})`]);
  if ((p.kind === 27235 || p.kind === 24242) && t?.url) out.push(['url', `Always for this URL (${t.url}${p.kind === 27235 && t.httpMethod ? `, ${t.httpMethod} only` : ''})`]);
  return out;
}

interface Props {
  p: PromptView;
  similar: number;
  fromSite: number;
  /** Every prompt id on screen: a bulk answer settles none but these. */
  onScreen: readonly string[];
}

export function AnswerForm({ p, similar, fromSite, onScreen }: Props) {
  const [armed, setArmed] = useState(false);
  const [preset, setPreset] = useState<Preset['id'] | 'custom'>(p.firstContact ? 'pubkey_only' : 'custom');
  const [scope, setScope] = useState<Scope>('once');
  const [duration, setDuration] = useState('forever');
  const [capOn, setCapOn] = useState(false);
  const [capCount, setCapCount] = useState(20);
  const [capWindow, setCapWindow] = useState(3600);
  const [toSimilar, setToSimilar] = useState(false);
  const [toSite, setToSite] = useState(false);
  const [error, setError] = useState('');
  const deny = useRef<HTMLButtonElement>(null);

  // The delay re-arms, with focus back on Deny, whenever what a click would answer may have
  // changed under the pointer: a new request on screen, a change in the requests a bulk answer
  // covers, and the window coming to the front or into view (raised under a second click).
  const [shownAt, setShownAt] = useState(0);
  useEffect(() => {
    const again = () => setShownAt((n) => n + 1);
    const onVisible = () => document.visibilityState === 'visible' && again();
    window.addEventListener('focus', again);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.removeEventListener('focus', again);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, []);
  useEffect(() => {
    setArmed(false);
    const t = setTimeout(() => setArmed(true), CLICK_DELAY_MS);
    return () => clearTimeout(t);
  }, [p.promptId, similar, fromSite, shownAt]);
  // Focus once the button is enabled: a disabled button cannot take it.
  useEffect(() => {
    if (armed) deny.current?.focus();
  }, [armed]);

  const custom = preset === 'custom';
  const remembers = custom && scope !== 'once';
  async function answer(decision: 'allow' | 'deny') {
    if (!armed) return;
    setArmed(false);
    const durationSeconds = duration === 'forever' ? null : duration === 'session' ? 'session' : Number(duration);
    try {
      await admin('resolve_prompt', {
        // Bound to the request that was on screen when the buttons were armed.
        promptId: p.promptId,
        decision,
        ...(preset === 'custom' ? { scope } : decision === 'allow' ? { preset } : { scope: 'once' as const }),
        ...((remembers || (!custom && decision === 'allow')) && { durationSeconds }),
        ...(remembers && decision === 'allow' && capOn && { cap: { maxUsageCount: capCount, windowSeconds: capWindow } }),
        ...(toSite && { applyToAllFromOrigin: true }),
        ...(toSimilar && !toSite && { applyToSimilar: true }),
        ...((toSite || toSimilar) && { promptIds: [...onScreen] }),
      });
    } catch (err) {
      setError((err as Error).message);
      setArmed(true);
    }
  }

  return (
    <form class="answer" onSubmit={(e) => e.preventDefault()}>
      {p.firstContact && (
        <fieldset class="presets">
          <legend>First visit: what may this site do?</legend>
          {[...PRESETS, { id: 'custom' as const, label: 'Custom', summary: 'Answer just this request; choose below.', rules: [] }].map((x) => (
            <label class="preset" key={x.id}>
              <input type="radio" name="preset" value={x.id} checked={preset === x.id} data-testid={`prompt-preset-${x.id}`} onChange={() => setPreset(x.id)} />
              <span>
                <strong>{x.label}</strong> — {x.summary}
                {x.rules.length > 0 && <ul class="muted">{x.rules.map((r, i) => <li key={i}>{ruleText(r)}</li>)}</ul>}
              </span>
            </label>
          ))}
        </fieldset>
      )}
      {custom && (
        <div class="choices">
          <label for="scope">Answer applies to</label>
          <select id="scope" data-testid="prompt-scope" value={scope} onChange={(e) => setScope(scopeOf(e.currentTarget.value))}>
            <option value="once">Just this once</option>
            {targetChoices(p).map(([value, label]) => (
              <option key={value} value={value}>{label}</option>
            ))}
            {p.kind !== null && p.method === 'sign_event' && <option value="kind">Always for kind {p.kind}</option>}
            <option value="method">Always for this method{p.kind !== null && p.method === 'sign_event' ? ' (except sensitive kinds)' : ''}</option>
          </select>
          <label for="duration">For how long</label>
          <select id="duration" data-testid="prompt-duration" value={duration} disabled={!remembers} onChange={(e) => setDuration(e.currentTarget.value)}>
            <option value="forever">until revoked</option>
            <option value="3600">for 1 hour</option>
            <option value="86400">for 1 day</option>
            <option value="604800">for 1 week</option>
            <option value="session">until the browser closes</option>
          </select>
          {remembers && isConsequential(p.method) && (
            <div class="row cap">
              <label class="inline">
                <input type="checkbox" data-testid="prompt-cap-enabled" checked={capOn} onChange={(e) => setCapOn(e.currentTarget.checked)} /> with a cap: at most
              </label>
              <input type="number" min={1} aria-label="Cap count" data-testid="prompt-cap-count" value={capCount} disabled={!capOn} onInput={(e) => setCapCount(Math.max(1, Number(e.currentTarget.value) || 1))} />
              <select aria-label="Cap window" data-testid="prompt-cap-window" value={capWindow} disabled={!capOn} onChange={(e) => setCapWindow(Number(e.currentTarget.value))}>
                <option value={3600}>per hour</option>
                <option value={86400}>per day</option>
              </select>
            </div>
          )}
        </div>
      )}
      {similar > 0 && (
        <label class="inline">
          <input type="checkbox" data-testid="prompt-similar" checked={toSimilar} onChange={(e) => setToSimilar(e.currentTarget.checked)} /> Also answer the {groupNoun(p, similar)} like it waiting
        </label>
      )}
      {fromSite > 1 && (
        <label class="inline">
          <input type="checkbox" data-testid="prompt-apply-all" checked={toSite} onChange={(e) => setToSite(e.currentTarget.checked)} /> Apply to all {fromSite} waiting from this site
        </label>
      )}
      {error && <div class="error" role="alert">{error}</div>}
      <div class="actions">
        <button type="button" ref={deny} class="danger" data-testid="prompt-deny" disabled={!armed} onClick={() => answer('deny')}>
          Deny
        </button>
        <button type="button" class="primary" data-testid="prompt-allow" disabled={!armed} onClick={() => answer('allow')}>
          Allow
        </button>
      </div>
    </form>
  );
}
