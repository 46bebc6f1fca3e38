// What the site asks for, shown as plain text: the very copy the background will sign.
import { useState } from 'preact/hooks';
import { npubEncode } from 'nostr-tools/nip19';
import { countHidden, revealHidden, tagSummary } from './visible.ts';
import { specOf } from '../../shared/methods.ts';
import { credentialTarget } from '../../shared/kinds.ts';
import { methodText, type PromptView } from './types.ts';
import { RemoteName } from '../components/RemoteName.tsx';

function Revealed({ text }: { text: string }) {
  return (
    <>
      {revealHidden(text).map((s, i) => (s.hidden ? <mark key={i} class="hidden-char">{s.text}</mark> : s.text))}
    </>
  );
}

/** "npub1abcd…wxyz": enough to tell one's keys apart at a glance. */
function shortNpub(npub: string): string {
  return npub.length > 20 ? `${npub.slice(0, 10)}…${npub.slice(-6)}` : npub;
}

/** A warning for text from the site that holds hidden characters (docs/THREATS.md #43). */
function HiddenWarning({ text, where, testid }: { text: string; where: string; testid: string }) {
  const n = countHidden(text);
  if (n === 0) return null;
  return (
    <div class="warn" data-testid={testid}>
      {where} holds {n} invisible or direction-changing character(s), shown as ⟨U+…⟩.
    </div>
  );
}

/** `sameGroup`: how many waiting requests look like this one (itself included). */
export function RequestView({ p, sameGroup = 1 }: { p: PromptView; sameGroup?: number }) {
  const [raw, setRaw] = useState(false);
  const d = p.details;
  // A NIP-17 layer: asked once per person, with the sender the background found inside.
  const dm = d.type === 'peer' ? d.dm : undefined;
  const fromPeer = specOf(p.method).peer === 'from';
  const hiddenTags = d.type === 'event' ? d.event.tags.filter((t) => t.some((v) => countHidden(v) > 0)) : [];
  return (
    <section aria-label="The request">
      {p.remote && <RemoteName remote={p.remote} testid="prompt-remote" />}
      <div class={p.remote ? 'origin-remote mono' : 'origin'} data-testid="prompt-origin">{p.origin}</div>
      {p.topOrigin && (
        <div class="warn" data-testid="prompt-embedded">
          Asked from a frame embedded in <strong>{p.topOrigin}</strong>
        </div>
      )}
      {dm ? (
        <>
          <div class="what" data-testid="prompt-method">
            wants to read your direct messages from <span class="mono" data-testid="prompt-dm-sender" title={npubEncode(dm.sender)}>{npubEncode(dm.sender)}</span>
          </div>
          <div class="muted" data-testid="prompt-dm-waiting">
            {sameGroup === 1 ? '1 message' : `${sameGroup} messages`} from this person {sameGroup === 1 ? 'waits' : 'wait'}
            {dm.layer === 'wrap' ? ' (sealed and signed by them, inside a gift wrap).' : '.'}
          </div>
        </>
      ) : (
        <div class="what" data-testid="prompt-method">
          wants to {methodText(p.method)}
        </div>
      )}
      {p.account && (
        <div class="account" data-testid="prompt-account" title={p.account.npub}>
          as <strong><Revealed text={p.account.label || 'unnamed account'} /></strong> <span class="mono muted">{shortNpub(p.account.npub)}</span>
        </div>
      )}
      {p.kind !== null && p.method === 'sign_event' && (
        <div class="kind" data-testid="prompt-kind">
          {p.kindName} <span class="muted">(kind {p.kind})</span>
          {p.sensitive && (
            <span class="badge danger" data-testid="prompt-sensitive" title="Only a rule naming this kind allows it">
              sensitive
            </span>
          )}
        </div>
      )}
      {dm && <div class="muted">The decrypted text goes to the site only; it is never shown or kept here.</div>}
      {d.type === 'event' && credentialTarget(d.event.kind, d.event.tags) && (
        <div class="warn" data-testid="prompt-target">
          This {credentialTarget(d.event.kind, d.event.tags)}.
        </div>
      )}
      {d.type === 'event' && (
        <>
          <pre class="content" data-testid="prompt-content"><Revealed text={d.event.content} /></pre>
          {d.event.content === '' && <div class="muted">(empty content)</div>}
          <HiddenWarning text={d.event.content} where="The text" testid="prompt-hidden-chars" />
          <div class="muted" data-testid="prompt-tags">Tags: <Revealed text={tagSummary(d.event.tags)} /></div>
          {hiddenTags.length > 0 && (
            <>
              <HiddenWarning text={hiddenTags.flat().join('')} where={hiddenTags.length === 1 ? 'A tag' : `${hiddenTags.length} tags`} testid="prompt-tags-hidden" />
              {/* Those tags in full, so the marks can be seen where they are. */}
              <ul class="mono hidden-tags" data-testid="prompt-tags-hidden-list">
                {hiddenTags.map((t, i) => (
                  <li key={i}><Revealed text={JSON.stringify(t)} /></li>
                ))}
              </ul>
            </>
          )}
          <button type="button" class="link" data-testid="prompt-raw-toggle" aria-expanded={raw} onClick={() => setRaw(!raw)}>
            {raw ? 'Hide' : 'Show'} the raw event
          </button>
          {raw && <pre class="mono raw" data-testid="prompt-raw"><Revealed text={JSON.stringify(d.event, null, 2)} /></pre>}
        </>
      )}
      {d.type === 'peer' && !fromPeer && d.plaintext !== undefined && (
        <>
          <div class="muted">The text to be encrypted:</div>
          <pre class="content" data-testid="prompt-plaintext"><Revealed text={d.plaintext} /></pre>
          {d.plaintext === '' && <div class="muted">(empty text)</div>}
          <HiddenWarning text={d.plaintext} where="The text" testid="prompt-plaintext-hidden" />
        </>
      )}
      {d.type === 'peer' && !fromPeer && d.plaintext === undefined && (
        <div class="muted" data-testid="prompt-plaintext-missing">The text to be encrypted shows once the page sends this request again.</div>
      )}
      {d.type === 'peer' && !dm && (
        <div class="peer">
          {fromPeer ? 'from' : 'to'} <span class="mono" data-testid="prompt-peer">{npubEncode(d.pubkey)}</span>
          {fromPeer && <div class="muted">The decrypted text goes to the site only; it is never shown or kept here.</div>}
        </div>
      )}
    </section>
  );
}
