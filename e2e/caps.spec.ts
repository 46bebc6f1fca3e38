// A cap of N per window holds against N + 30 concurrent requests: exactly N are signed.
import { verifyEvent } from 'nostr-tools/pure';
import { expect, openSite, setupAccount, test } from './fixtures.ts';
import { policies, signingLog, status, type SignedEvent } from './helpers.ts';

test('sign_event capped at 10 per hour: 40 concurrent calls sign exactly 10, 30 get cap_exceeded', async ({ ext }) => {
  const { pubkey } = await setupAccount(ext);
  await ext.admin('grant', { origin: ext.siteUrl, rules: [{ method: 'sign_event', maxUsageCount: 10, windowSeconds: 3600 }] });
  const page = await openSite(ext, '/blank.html');

  const results = await page.evaluate(async () => {
    const nostr = (window as unknown as { nostr: { signEvent: (e: unknown) => Promise<unknown> } }).nostr;
    const now = Math.floor(Date.now() / 1000);
    const settled = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => nostr.signEvent({ kind: 1, content: `capped ${i}`, tags: [], created_at: now })),
    );
    return settled.map((s) =>
      s.status === 'fulfilled'
        ? { ok: true as const, event: s.value }
        : { ok: false as const, code: (s.reason as { code?: string }).code ?? 'none', message: String((s.reason as Error).message) },
    );
  });

  const signed = results.filter((r) => r.ok).map((r) => r.event as SignedEvent);
  const refused = results.filter((r) => !r.ok);
  expect(signed).toHaveLength(10);
  expect(refused).toHaveLength(30);
  expect(refused.map((r) => r.code)).toEqual(Array(30).fill('cap_exceeded'));
  for (const e of signed) {
    expect(e.pubkey).toBe(pubkey);
    expect(verifyEvent({ ...e })).toBe(true);
  }
  expect(new Set(signed.map((e) => e.content)).size).toBe(10);

  const log = await signingLog(ext);
  expect(log).toHaveLength(10);
  expect(new Set(log.map((e) => e.eventId))).toEqual(new Set(signed.map((e) => e.id)));
  const rule = (await policies(ext, ext.siteUrl)).grants[0]!.rules[0]!;
  expect(rule).toMatchObject({ method: 'sign_event', maxUsageCount: 10, windowSeconds: 3600, used: 10 });

  // The cap keeps binding: one more is refused at once, with no prompt (onCapReached: deny).
  const more = await page.evaluate(() =>
    (window as unknown as { nostr: { signEvent: (e: unknown) => Promise<unknown> } }).nostr
      .signEvent({ kind: 1, content: 'one more', tags: [] })
      .then(() => 'signed', (e: { code?: string }) => e.code),
  );
  expect(more).toBe('cap_exceeded');
  expect((await status(ext)).pending).toEqual([]);
  expect(await signingLog(ext)).toHaveLength(10);
});
