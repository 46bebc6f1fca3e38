// The background's signed-event check against nostr-tools' verifyEvent.
import { describe, expect, it } from 'vitest';
import { finalizeEvent, generateSecretKey, getEventHash, verifyEvent } from 'nostr-tools/pure';
import { keptPoints, MAX_KEPT_POINTS, verifySignedEvent } from './eventVerify.ts';

// Through JSON, as a seal comes out of a decrypt: finalizeEvent marks its result as verified
// (a symbol that spreads along), and verifyEvent would then not check a changed copy at all.
const note = (sk: Uint8Array, content: string) => JSON.parse(JSON.stringify(finalizeEvent({ kind: 13, content, tags: [], created_at: 1_700_000_000 }, sk))) as ReturnType<typeof finalizeEvent>;

describe('verifySignedEvent', () => {
  it('answers as verifyEvent does, for a sender seen once and one seen often (its point then has a table)', () => {
    const often = generateSecretKey();
    for (let i = 0; i < 12; i++) {
      const sk = i % 3 === 0 ? generateSecretKey() : often;
      const good = note(sk, `message ${i}`);
      const other = note(sk, `other ${i}`);
      const cases = [
        good,
        { ...good, sig: other.sig },
        { ...good, content: 'changed' },
        { ...good, id: other.id },
        // Re-hashed: the id is right for the changed event, the signature is not.
        (() => {
          const e = { ...good, content: 'changed' };
          return { ...e, id: getEventHash(e) };
        })(),
        { ...good, sig: good.sig.slice(0, 64) + '0'.repeat(64) },
      ];
      for (const e of cases) expect(verifySignedEvent(e)).toBe(verifyEvent({ ...e }));
      expect(verifySignedEvent(good)).toBe(true);
      expect(verifySignedEvent({ ...good, sig: other.sig })).toBe(false);
    }
  });

  it('refuses malformed fields and a pubkey that is no point, without throwing', () => {
    const good = note(generateSecretKey(), 'x');
    expect(verifySignedEvent({ ...good, sig: good.sig.toUpperCase() })).toBe(false);
    expect(verifySignedEvent({ ...good, sig: good.sig.slice(2) })).toBe(false);
    expect(verifySignedEvent({ ...good, id: 'zz' + good.id.slice(2) })).toBe(false);
    // x = 5 has no point on secp256k1 (5³ + 7 = 132 is no square mod p).
    const noPoint = { ...good, pubkey: '0'.repeat(63) + '5' };
    expect(verifySignedEvent({ ...noPoint, id: getEventHash(noPoint) })).toBe(false);
  });

  it('keeps at most MAX_KEPT_POINTS senders', () => {
    for (let i = 0; i < MAX_KEPT_POINTS + 10; i++) expect(verifySignedEvent(note(generateSecretKey(), 'y'))).toBe(true);
    expect(keptPoints()).toBe(MAX_KEPT_POINTS);
  });
});
