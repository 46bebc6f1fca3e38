// The plain prompt: one waiting request at a time, Allow or Deny, optionally remembered.
import { h, mount, shortKey } from '../shared/dom.ts';
import { admin, onPromptsChanged } from '../shared/rpc.ts';

interface Pending { promptId: string; origin: string; method: string; kind?: number }
interface PromptView {
  promptId: string;
  origin: string;
  method: string;
  kind: number | null;
  reason: string;
  topOrigin: string | null;
  details: { type: 'event'; event: { kind: number; content: string; tags: string[][] } } | { type: 'peer'; pubkey: string } | { type: 'none' };
}

/** Input is accepted only after this long on screen, so a stray double-click cannot answer. */
const CLICK_DELAY_MS = 500;
const app = document.getElementById('app')!;
let shownId: string | undefined;

const METHOD_TEXT: Record<string, string> = {
  get_public_key: 'read your public key',
  get_relays: 'read your relay list',
  sign_event: 'sign an event',
  nip04_encrypt: 'encrypt a message (NIP-04)',
  nip04_decrypt: 'decrypt a message (NIP-04)',
  nip44_encrypt: 'encrypt a message (NIP-44)',
  nip44_decrypt: 'decrypt a message (NIP-44)',
};

function detailsView(p: PromptView): Node {
  const d = p.details;
  if (d.type === 'event') {
    return h('div', {},
      h('div', { class: 'muted' }, `kind ${d.event.kind} · ${d.event.tags.length} tag(s)`),
      h('pre', { class: 'content', testid: 'prompt-content' }, d.event.content || '(empty content)'),
      h('details', {}, h('summary', {}, 'Raw event'), h('pre', { class: 'mono', testid: 'prompt-raw' }, JSON.stringify(d.event, null, 2))),
    );
  }
  if (d.type === 'peer') return h('div', { class: 'muted' }, 'with ', h('span', { class: 'mono' }, shortKey(d.pubkey)));
  return h('span');
}

function select(testid: string, options: [string, string][]): HTMLSelectElement {
  return h('select', { testid }, ...options.map(([value, text]) => h('option', { value }, text)));
}

async function answer(p: PromptView, decision: 'allow' | 'deny', scope: string, duration: string) {
  const durationSeconds = duration === 'forever' ? null : duration === 'session' ? 'session' : Number(duration);
  await admin('resolve_prompt', {
    promptId: p.promptId,
    decision,
    scope,
    ...(scope === 'once' ? {} : { durationSeconds }),
  });
  shownId = undefined;
  await render();
}

function view(p: PromptView, waiting: number): Node {
  const scope = select('prompt-scope', [
    ['once', 'Just this once'],
    ...(p.kind !== null ? [['kind', `Remember for kind ${p.kind}`] as [string, string]] : []),
    ['method', 'Remember for this method'],
  ]);
  const duration = select('prompt-duration', [['forever', 'until revoked'], ['3600', 'for 1 hour'], ['86400', 'for 1 day'], ['604800', 'for 1 week'], ['session', 'until the browser closes']]);
  const allow = h('button', { class: 'primary', testid: 'prompt-allow', disabled: true, onclick: () => answer(p, 'allow', scope.value, duration.value) }, 'Allow');
  const deny = h('button', { class: 'danger', testid: 'prompt-deny', disabled: true, onclick: () => answer(p, 'deny', scope.value, duration.value) }, 'Deny');
  setTimeout(() => { allow.disabled = false; deny.disabled = false; deny.focus(); }, CLICK_DELAY_MS);
  return h('div', { testid: 'prompt', 'data-prompt-id': p.promptId },
    h('div', { class: 'origin', testid: 'prompt-origin' }, p.origin),
    p.topOrigin ? h('div', { class: 'embedded' }, `embedded in ${p.topOrigin}`) : null,
    h('div', { class: 'what', testid: 'prompt-method' }, `wants to ${METHOD_TEXT[p.method] ?? p.method}`),
    detailsView(p),
    h('div', { class: 'muted' }, p.reason),
    h('label', {}, 'Answer applies to'), scope,
    h('label', {}, 'For how long'), duration,
    h('div', { class: 'actions' }, deny, allow),
    waiting > 1 ? h('p', { class: 'muted', testid: 'prompt-waiting' }, `${waiting - 1} more waiting`) : null,
  );
}

async function render(): Promise<void> {
  const status = await admin<{ pending: Pending[] }>('get_status');
  const first = status.pending[0];
  if (!first) {
    // The background closes this window once nothing waits; closing it by hand refuses what it holds.
    shownId = undefined;
    mount(app, h('p', { class: 'muted', testid: 'prompt-empty' }, 'Nothing is waiting.'));
    return;
  }
  if (first.promptId === shownId) {
    const counter = app.querySelector('[data-testid="prompt-waiting"]');
    if (counter) counter.textContent = `${status.pending.length - 1} more waiting`;
    return;
  }
  const p = await admin<PromptView>('get_prompt', { promptId: first.promptId });
  shownId = p.promptId;
  mount(app, view(p, status.pending.length));
}

onPromptsChanged(() => void render());
void render();
