// fast-check: any message from any sender gets exactly one well-formed answer, and a refusal changes nothing.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import * as nip19 from 'nostr-tools/nip19';
import { bytesToHex } from 'nostr-tools/utils';
import { siteOrigin, type SenderInfo } from './sender.ts';
import { ERROR_CODES, type WireResponse } from '../shared/errors.ts';
import { METHODS } from '../shared/methods.ts';
import { adminParamSchemas } from '../shared/protocol.ts';
import { ALL_METHODS_RULES, type AccountHarness, OPTIONS_PAGE, OTHER, PW, SITE, siteSender, snap, withAccount } from '../test/background.ts';

// Many tests drive dozens of IndexedDB transactions: leave room for a loaded CI machine.
vi.setConfig({ testTimeout: 20_000 });

describe('property: any message gets exactly one well-formed answer and a refusal changes nothing', () => {
  const GRANTED = SITE;
  const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
  const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

  const senderArb: fc.Arbitrary<SenderInfo> = fc.oneof(
    fc.constant<SenderInfo>({ url: OPTIONS_PAGE }),
    fc.constant<SenderInfo>({ id: 'abc', url: OPTIONS_PAGE, tab: { id: 2, url: OPTIONS_PAGE } }),
    fc.constantFrom(GRANTED, 'http://site.example', 'https://site.example:8443', OTHER).map((o) => siteSender(o)),
    fc.constant<SenderInfo>({ url: 'about:srcdoc', origin: 'null', frameId: 2, tab: { id: 1, url: `${GRANTED}/` } }),
    fc.constant<SenderInfo>({ url: `${GRANTED}/x`, origin: 'null' }),
    fc.constant<SenderInfo>({ url: 'data:text/html,hi' }),
    fc.constant<SenderInfo>({}),
    fc.record(
      {
        id: optional(fc.string()),
        url: optional(fc.oneof(fc.string(), fc.webUrl())),
        origin: optional(fc.oneof(fc.string(), fc.constant('null'))),
        frameId: optional(fc.integer()),
        tab: optional(fc.record({ id: optional(fc.integer()), url: optional(fc.webUrl()) })),
      },
      { requiredKeys: [] },
    ),
  );

  const eventArb = fc.record(
    {
      kind: fc.oneof(fc.integer({ min: -5, max: 70_000 }), fc.double(), fc.string()),
      content: fc.oneof(fc.string(), fc.anything()),
      tags: fc.oneof(fc.array(fc.array(fc.string(), { maxLength: 3 }), { maxLength: 3 }), fc.anything()),
      created_at: fc.oneof(fc.integer(), fc.anything()),
      pubkey: fc.oneof(hex64, fc.string()),
      id: fc.anything(),
      sig: fc.anything(),
      origin: fc.constant(GRANTED),
    },
    { requiredKeys: [] },
  );
  const nip07ParamsArb = fc.oneof(
    fc.constant({}),
    fc.record({ event: eventArb }, { requiredKeys: [] }),
    fc.record({ pubkey: fc.oneof(hex64, fc.string()), plaintext: fc.oneof(fc.string(), fc.anything()) }, { requiredKeys: [] }),
    fc.record({ pubkey: fc.oneof(hex64, fc.string()), ciphertext: fc.oneof(fc.base64String(), fc.string(), fc.anything()) }, { requiredKeys: [] }),
    fc.anything(),
  );
  const nip07Arb = fc.record(
    {
      type: fc.constant('nip07'),
      id: fc.oneof(fc.uuid(), fc.string()),
      method: fc.oneof(fc.constantFrom(...METHODS), fc.string()),
      params: nip07ParamsArb,
      origin: fc.constant(GRANTED),
    },
    { requiredKeys: ['type'] },
  );
  const adminMethods = Object.keys(adminParamSchemas);
  const ruleArb = fc.record(
    { method: fc.oneof(fc.constantFrom(...METHODS), fc.string()), kind: fc.oneof(fc.integer(), fc.constant(null)), maxUsageCount: fc.oneof(fc.integer(), fc.constant(null)), windowSeconds: fc.integer() },
    { requiredKeys: [] },
  );
  const adminParamsArb = fc.oneof(
    fc.constant({}),
    fc.anything(),
    fc.record(
      {
        origin: fc.oneof(fc.constant(GRANTED), fc.constant('null'), fc.webUrl(), fc.string()),
        rules: fc.oneof(fc.array(ruleArb, { maxLength: 3 }), fc.anything()),
        grantId: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.string()),
        ruleId: fc.integer({ min: -2, max: 5 }),
        overrideId: fc.integer({ min: -2, max: 5 }),
        accountId: fc.integer({ min: -2, max: 5 }),
        promptId: fc.string(),
        decision: fc.constantFrom('allow', 'deny', 'maybe'),
        method: fc.oneof(fc.constantFrom(...METHODS), fc.string()),
        effect: fc.constantFrom('allow', 'deny', 'x'),
        password: fc.string(),
        secret: fc.oneof(fc.string(), hex64),
        limit: fc.integer({ min: -1, max: 2_000 }),
        before: fc.integer(),
        kind: fc.oneof(fc.integer(), fc.constant(null)),
      },
      { requiredKeys: [] },
    ),
  );
  const adminArb = fc.record(
    { type: fc.constant('admin'), method: fc.oneof(fc.constantFrom(...adminMethods), fc.string()), params: adminParamsArb },
    { requiredKeys: ['type', 'method'] },
  );

  let h: AccountHarness;
  let secretHex: string;
  let secretNsec: string;
  let prompts = 0;
  beforeEach(async () => {
    prompts = 0;
    h = await withAccount({ promptTimeoutMs: 15, onPromptsChanged: () => void prompts++ });
    await h.ok('grant', { origin: GRANTED, rules: ALL_METHODS_RULES });
    secretHex = bytesToHex(h.ctx.vault.secretKey(h.account.accountId));
    secretNsec = nip19.nsecEncode(h.ctx.vault.secretKey(h.account.accountId));
  });

  function wellFormed(r: unknown): asserts r is WireResponse {
    expect(r).toBeTypeOf('object');
    expect(r).not.toBeNull();
    const res = r as Record<string, unknown>;
    if (res.ok === true) {
      expect(Object.keys(res).sort()).toEqual(['ok', 'result']);
    } else {
      expect(res.ok).toBe(false);
      expect(Object.keys(res).sort()).toEqual(['error', 'ok']);
      const e = res.error as Record<string, unknown>;
      expect(Object.keys(e).sort()).toEqual(['code', 'message']);
      expect(ERROR_CODES).toContain(e.code);
      expect(typeof e.message).toBe('string');
      expect((e.message as string).length).toBeGreaterThan(0);
    }
    // It must cross a runtime message boundary.
    expect(() => structuredClone(r)).not.toThrow();
    // And it never carries the secret key.
    const text = JSON.stringify(r) ?? '';
    expect(text).not.toContain(secretHex);
    expect(text).not.toContain(secretNsec);
  }

  async function send(message: unknown, sender: SenderInfo): Promise<{ r: WireResponse; before: Record<string, unknown[]>; status: unknown }> {
    if (h.ctx.vault.locked) await h.ctx.vault.unlock(PW);
    const before = await snap(h);
    const status = h.ctx.vault.status();
    let r: unknown;
    expect(() => {
      r = h.route(message, sender);
    }).not.toThrow();
    r = await (r as Promise<unknown>);
    wellFormed(r);
    expect(h.ctx.prompts.list()).toEqual([]);
    return { r, before, status };
  }

  it('fc.anything() from any sender: refused with nothing changed, no prompt', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), senderArb, async (message, sender) => {
        const { r, before, status } = await send(message, sender);
        expect(r.ok).toBe(false);
        expect(await snap(h)).toEqual(before);
        expect(h.ctx.vault.status()).toEqual(status);
        expect(prompts).toBe(0);
      }),
      { numRuns: 200 },
    );
  }, 60_000);

  it('structured nip07/admin messages from any sender: a refusal writes nothing but a non-allowed activity row', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(nip07Arb, adminArb), senderArb, async (message, sender) => {
        const { r, before, status } = await send(message, sender);
        if (r.ok) return;
        const after = await snap(h);
        for (const store of ['accounts', 'grants', 'rules', 'overrides', 'signingLog', 'settings']) {
          expect(after[store], store).toEqual(before[store]);
        }
        type Row = { outcome: string; origin: string; count?: number };
        const added = after.activity!.slice(before.activity!.length) as Row[];
        // A repeated refusal may instead add to the count of an earlier refusal row of the site
        // (docs/THREATS.md #34); nothing else about earlier rows changes.
        const earlier = after.activity!.slice(0, before.activity!.length) as Row[];
        const withoutCount = (rows: Row[]) => rows.map(({ count: _count, ...rest }) => rest);
        expect(withoutCount(earlier)).toEqual(withoutCount(before.activity as Row[]));
        const grown = earlier.filter((row, i) => (row.count ?? 1) !== ((before.activity![i] as Row).count ?? 1));
        expect(grown.length).toBeLessThanOrEqual(1);
        for (const [i, row] of earlier.entries()) expect(row.count ?? 1).toBeGreaterThanOrEqual((before.activity![i] as Row).count ?? 1);
        added.push(...grown);
        let origin: string | null = null;
        try {
          origin = siteOrigin(sender);
        } catch {
          /* not a site */
        }
        if (added.length) {
          expect((message as { type: string }).type).toBe('nip07');
          expect(origin).not.toBeNull();
        }
        for (const row of added) {
          expect(row.outcome).not.toBe('allowed');
          expect(row.origin).toBe(origin);
        }
        if (r.error.code !== 'locked') expect(h.ctx.vault.status()).toEqual(status);
      }),
      { numRuns: 200 },
    );
  }, 60_000);
});
