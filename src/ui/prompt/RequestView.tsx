// What the site asks for, shown as plain text: the very copy the background will sign.
import { useState } from 'preact/hooks';
import { npubEncode } from 'nostr-tools/nip19';
import { countHidden, revealHidden, tagSummary } from './visible.ts';
import { specOf } from '../../shared/methods.ts';
import { credentialTarget } from '../../shared/kinds.ts';
import { methodText, type PromptView } from './types.ts';

function Revealed({ text }: { text: string }) {
  return (
    <>
      {revealHidden(text).map((s, i) => (s.hidden ? <mark key={i} class="hidden-char">{s.text}</mark> : s.text))}
    </>
  );
}

export function RequestView({ p }: { p: PromptView }) {
  const [raw, setRaw] = useState(false);
  const d = p.details;
  const fromPeer = specOf(p.method).peer === 'from';
  return (
    <section aria-label="The request">
      <div class="origin" data-testid="prompt-origin">{p.origin}</div>
      {p.topOrigin && (
        <div class="warn" data-testid="prompt-embedded">
          Asked from a frame embedded in <strong>{p.topOrigin}</strong>
        </div>
      )}
      <div class="what" data-testid="prompt-method">
        wants to {methodText(p.method)}
      </div>
      {p.kind !== null && (
        <div class="kind" data-testid="prompt-kind">
          {p.kindName} <span class="muted">(kind {p.kind})</span>
          {p.sensitive && (
            <span class="badge danger" data-testid="prompt-sensitive" title="Only a rule naming this kind allows it">
              sensitive
            </span>
          )}
        </div>
      )}
      {d.type === 'event' && credentialTarget(d.event.kind, d.event.tags) && (
        <div class="warn" data-testid="prompt-target">
          This {credentialTarget(d.event.kind, d.event.tags)}.
        </div>
      )}
      {d.type === 'event' && (
        <>
          <pre class="content" data-testid="prompt-content"><Revealed text={d.event.content} /></pre>
          {d.event.content === '' && <div class="muted">(empty content)</div>}
          {countHidden(d.event.content) > 0 && (
            <div class="warn" data-testid="prompt-hidden-chars">
              The text holds {countHidden(d.event.content)} invisible or direction-changing character(s), shown as ⟨U+…⟩.
            </div>
          )}
          <div class="muted" data-testid="prompt-tags">Tags: {tagSummary(d.event.tags)}</div>
          <button type="button" class="link" data-testid="prompt-raw-toggle" aria-expanded={raw} onClick={() => setRaw(!raw)}>
            {raw ? 'Hide' : 'Show'} the raw event
          </button>
          {raw && <pre class="mono raw" data-testid="prompt-raw">{JSON.stringify(d.event, null, 2)}</pre>}
        </>
      )}
      {d.type === 'peer' && (
        <div class="peer">
          {fromPeer ? 'from' : 'to'} <span class="mono" data-testid="prompt-peer">{npubEncode(d.pubkey)}</span>
          {fromPeer && <div class="muted">The decrypted text goes to the site only; it is never shown or kept here.</div>}
        </div>
      )}
    </section>
  );
}
