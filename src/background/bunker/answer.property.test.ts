// Whatever a relay sends — junk shapes, forged signatures, events that do not decrypt, decrypted
// junk, giant payloads, requests from strangers — the bunker never throws and changes nothing
// stored: no grant, no rule, no log entry, no activity, no client, no token spent, no prompt.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure';
import { startRelay, type TestRelay } from '../../test/relay.ts';
import { bunkerOn, clientFor, closeClients, requestEvent } from '../../test/bunker.ts';
import { snap } from '../../test/background.ts';
import { SCHEMA_V7 } from '../../db/bunkerSchema.ts';
import { MAX_CONTENT_CHARS } from './answer.ts';

vi.setConfig({ testTimeout: 120_000 });

let relay: TestRelay;
beforeAll(async () => {
  relay = await startRelay();
});
afterAll(async () => {
  closeClients();
  await relay.close();
});

const METHOD_NAMES = ['connect', 'get_public_key', 'sign_event', 'nip04_encrypt', 'nip04_decrypt', 'nip44_encrypt', 'nip44_decrypt', 'ping', 'logout', 'switch_relays', 'x', ''];

describe('bunker: random NIP-46 input', () => {
  it('never throws and never changes stored state', async () => {
    const h = await bunkerOn(relay);
    const { bunkerUrl } = await h.ok('create_connect_token', { rules: [{ method: 'sign_event', kind: 1 }] });
    // A live token stays unspent: a junk connect must not spend it.
    await h.ok('create_connect_token', { rules: [{ method: 'sign_event' }], uses: 3 });
    const known = await clientFor(bunkerUrl);
    await known.signer.connect();
    const answerer = h.ctx.bunker.accept()!;
    const state = async () => {
      const rows = await snap(h);
      for (const store of Object.keys(SCHEMA_V7)) if (store !== 'bunkerSeen') rows[store] = await h.ctx.db.table(store).toArray();
      return { rows, pending: (await h.ok('get_status')).pending };
    };
    const before = await state();
    const now = () => Math.floor(Date.now() / 1000);

    const junkValue = fc.oneof(fc.anything(), fc.string(), fc.integer(), fc.constant(null));
    const rawEvent = fc.record({ kind: fc.oneof(fc.constant(24133), fc.integer()), content: fc.string(), tags: fc.anything(), pubkey: fc.string(), id: fc.string(), sig: fc.string(), created_at: junkValue }, { requiredKeys: [] });
    const stranger = generateSecretKey();
    // Decrypted junk: requests of every shape, from a stranger or (malformed) from the known client.
    const body = fc.oneof(
      fc.string(),
      fc.json(),
      fc.record({ id: fc.oneof(fc.string(), fc.integer()), method: fc.constantFrom(...METHOD_NAMES), params: fc.oneof(fc.array(fc.string(), { maxLength: 5 }), fc.anything()) }),
    );
    const signedJunk = fc.tuple(body, fc.boolean(), fc.integer({ min: -1_000, max: 1_000 })).map(([b, fromStranger, skew]) => {
      const sk = fromStranger ? stranger : known.secretKey;
      const text = typeof b === 'string' ? b : JSON.stringify(b);
      // From the known client, only bodies that are no valid request (a valid one would be answered, and may sign).
      const valid = (() => {
        try {
          const v = JSON.parse(text);
          return typeof v?.id === 'string' && typeof v?.method === 'string' && Array.isArray(v?.params) && v.params.every((p: unknown) => typeof p === 'string');
        } catch {
          return false;
        }
      })();
      if (!fromStranger && valid) return requestEvent(sk, h.bunkerPubkey, text.slice(0, -1), now() + skew);
      return requestEvent(sk, h.bunkerPubkey, text || ' ', now() + skew);
    });
    const forged = signedJunk.map((e) => ({ ...e, content: e.content.slice(1) + 'A' }));
    const unencrypted = fc.string().map((content) => finalizeEvent({ kind: 24133, content, tags: [['p', h.bunkerPubkey]], created_at: now() }, stranger));
    const giant = fc.constant(finalizeEvent({ kind: 24133, content: 'A'.repeat(MAX_CONTENT_CHARS + 1), tags: [['p', h.bunkerPubkey]], created_at: now() }, known.secretKey));

    await fc.assert(
      fc.asyncProperty(fc.oneof(junkValue, rawEvent, signedJunk, forged, unencrypted, giant), async (input) => {
        const handled = await answerer.receive(input);
        expect(['dropped', 'replied']).toContain(handled.type);
        if (handled.type === 'replied') expect(handled.result ?? '').toBe('');
      }),
      { numRuns: 300 },
    );
    expect(await state()).toEqual(before);
    known.close();
  });
});
