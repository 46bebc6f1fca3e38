// Many calls in flight at once: every reply reaches the call that asked for it.
import { verifyEvent } from 'nostr-tools/pure';
import { expect, openSite, setupAccount, test } from './fixtures.ts';
import { signingLog, type SignedEvent } from './helpers.ts';

// None of these is a sensitive kind (src/shared/kinds.ts), so the kind-less rule covers them all.
const KINDS = [1, 7, 16, 1111, 30023];

interface Outcome { i: number; type: 'pk' | 'sign'; content?: string; ok: boolean; v?: unknown; code?: string }

test('50 concurrent getPublicKey/signEvent calls never mix up replies', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'get_public_key' }, { method: 'sign_event' }] });
  const page = await openSite(ext, '/blank.html');

  let signedTotal = 0;
  for (let batch = 0; batch < 4; batch++) {
    const results: Outcome[] = await page.evaluate(
      async ([b, kinds]) => {
        const nostr = (window as unknown as { nostr: { getPublicKey: () => Promise<string>; signEvent: (e: unknown) => Promise<unknown> } }).nostr;
        const settle = (p: Promise<unknown>, o: Omit<Outcome, 'ok'>): Promise<Outcome> =>
          Promise.race([
            p.then((v) => ({ ...o, ok: true, v }), (e: { code?: string }) => ({ ...o, ok: false, code: e.code })),
            new Promise<Outcome>((ok) => setTimeout(() => ok({ ...o, ok: false, code: 'still_pending' }), 10_000)),
          ]);
        const calls = Array.from({ length: 50 }, (_, i) => {
          if (i % 3 === 0) return settle(nostr.getPublicKey(), { i, type: 'pk' });
          const content = `batch ${b} call ${i} ${crypto.randomUUID()}`;
          const event = { kind: kinds[i % kinds.length], content, tags: [['i', String(i)]], created_at: 1_700_000_000 + i };
          return settle(nostr.signEvent(event), { i, type: 'sign', content });
        });
        return Promise.all(calls);
      },
      [batch, KINDS] as const,
    );

    expect(results).toHaveLength(50);
    for (const r of results) {
      expect(r.ok, `call ${r.i}: ${r.code}`).toBe(true);
      if (r.type === 'pk') {
        expect(r.v).toBe(pubkey);
        continue;
      }
      const e = r.v as SignedEvent;
      expect(e.content, `call ${r.i}`).toBe(r.content);
      expect(e.tags).toEqual([['i', String(r.i)]]);
      expect(e.kind).toBe(KINDS[r.i % KINDS.length]);
      expect(e.created_at).toBe(1_700_000_000 + r.i);
      expect(e.pubkey).toBe(pubkey);
      expect(verifyEvent({ ...e })).toBe(true);
      signedTotal++;
    }
  }
  const log = await signingLog(ext);
  expect(log).toHaveLength(signedTotal);
  expect(new Set(log.map((l) => l.eventId)).size).toBe(signedTotal);
});

test('an inbox-sized burst: 300 signEvent at once all sign, in the right replies (past 100 in flight they wait in the bridge)', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event' }] });
  const page = await openSite(ext, '/blank.html');
  const N = 300;
  const results = await page.evaluate(async (n) => {
    const nostr = (window as unknown as { nostr: { signEvent: (e: unknown) => Promise<{ content: string }> } }).nostr;
    return Promise.all(
      Array.from({ length: n }, (_, i) => {
        const content = `burst ${i} ${crypto.randomUUID()}`;
        return nostr.signEvent({ kind: 1, content, tags: [], created_at: 1_700_000_000 }).then(
          (v) => ({ content, ok: true as const, v }),
          (e: { code?: string }) => ({ content, ok: false as const, code: e.code }),
        );
      }),
    );
  }, N);
  expect(results.filter((r) => !r.ok).map((r) => (r as { code?: string }).code)).toEqual([]);
  for (const r of results) {
    const e = (r as unknown as { v: SignedEvent }).v;
    expect(e.content).toBe(r.content);
    expect(e.pubkey).toBe(pubkey);
    expect(verifyEvent({ ...e })).toBe(true);
  }
  expect(await signingLog(ext)).toHaveLength(N);
});
