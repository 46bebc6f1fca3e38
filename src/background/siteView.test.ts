// get_site_view / list_sites and the boundary of the pages' admin methods, through the admin router.
import { describe, expect, it } from 'vitest';
import { guard } from './guard.ts';
import { pageParamSchemas } from '../shared/protocol.ts';
import { type Any, makeHarness, POPUP_PAGE, T0 } from '../test/background.ts';

const ADMIN = { id: 'abc', url: POPUP_PAGE };
const SITE_SENDER = { id: 'abc', url: 'https://evil.example/', origin: 'https://evil.example', tab: { id: 3, url: 'https://evil.example/' }, frameId: 0 };
const A = 'https://a.example';
const harness = () => makeHarness({ adminSender: ADMIN });

describe('get_site_view', () => {
  it('the live grant first with live usage and when its window frees; past grants after; paused; latest activity', async () => {
    const h = harness();
    const { accountId } = await h.ok('create_account', { password: 'pw pw pw' });
    const { grantId: old } = await h.ok('grant', { origin: A, rules: [{ method: 'nip44_encrypt' }] });
    h.clock.t += 1_000;
    const { grantId } = await h.ok('grant', { origin: A, rules: [{ method: 'sign_event', kind: 1, maxUsageCount: 3, windowSeconds: 3600 }, { method: 'get_public_key' }] });
    for (let i = 0; i < 3; i++) {
      h.clock.t += 60_000;
      await guard(h.ctx, { origin: A, accountId, method: 'sign_event', kind: 1 }, () => ({ value: null }));
    }
    const firstAt = T0 + 1_000 + 60_000;
    const view = await h.ok('get_site_view', { origin: A, activityLimit: 2 });
    expect(view.grants.map((g: Any) => [g.id, g.live])).toEqual([[grantId, true], [old, false]]);
    expect(view.grants[0].rules[0]).toMatchObject({ method: 'sign_event', kind: 1, used: 3, maxUsageCount: 3, freesAt: firstAt + 3_600_000, live: true });
    expect(view.grants[1].rules[0]).toMatchObject({ method: 'nip44_encrypt', used: 0, live: false });
    expect(view.paused).toBe(false);
    expect(view.activity).toHaveLength(2);

    await h.ok('pause_site', { origin: A });
    expect((await h.ok('get_site_view', { origin: A })).paused).toBe(true);
    expect(await h.ok('list_sites')).toEqual({ origins: [A] });
    expect((await h.ok('resume_site', { origin: A })).lifted).toBe(6);
    expect((await h.ok('get_site_view', { origin: A })).paused).toBe(false);
  });

  it('no account: an empty view, not an error', async () => {
    const h = harness();
    expect(await h.ok('get_site_view', { origin: A })).toMatchObject({ origin: A, accountId: null, grants: [], overrides: [], paused: false });
  });
});

describe('the pages\' admin methods at the boundary', () => {
  it('every one is refused to a content script, and a malformed param is invalid_request', async () => {
    const h = harness();
    await h.ok('create_account', { password: 'pw pw pw' });
    for (const method of Object.keys(pageParamSchemas)) {
      const r = await h.admin(method, {}, SITE_SENDER);
      expect(r, method).toMatchObject({ ok: false, error: { code: 'denied' } });
    }
    for (const [method, params] of [
      ['explain_request', { origin: 'https://a.example/path', method: 'sign_event' }],
      ['explain_request', { origin: A, method: 'connect' }],
      ['get_site_view', { origin: 'null' }],
      ['pause_site', { origin: 'ftp://a.example' }],
      ['import_perms', { origin: A, perms: 'sign_event:1,connect' }],
      ['set_retention', { signingLogDays: 0 }],
      ['query_activity', { limit: 0 }],
      ['restore_preview', { backup: '{}' }],
      ['rename_account', { accountId: 1, label: '' }],
    ] as const) {
      const r = await h.admin(method, params);
      expect(r, `${method} ${JSON.stringify(params)}`).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    }
  });
});
