// Who is asking: the sender tables (a site's origin, an extension page) and who may make admin calls.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { embeddingOrigin, isExtensionPage, siteOrigin, type SenderInfo } from './sender.ts';
import { emulateBrowserExtensionUrls } from '../test/fixtures.ts';
import { EXT, makeHarness, OPTIONS_PAGE, OTHER, PW, SITE, siteSender, snap, withAccount } from '../test/background.ts';

// Many tests drive dozens of IndexedDB transactions: leave room for a loaded CI machine.
vi.setConfig({ testTimeout: 20_000 });

// ---- sender ------------------------------------------------------------------------------

// The router runs under Node's own (spec-conforming) URL. The sender tables below also run under
// browser URL semantics, where chrome-extension: is a standard scheme.

describe.each([
  ['Node URL', () => undefined],
  ['browser URL', emulateBrowserExtensionUrls],
])('sender (%s)', (_semantics, install) => {
  beforeAll(() => install());
  afterAll(() => vi.unstubAllGlobals());

  it.each<[string, SenderInfo, string | null]>([
    ['https top frame', siteSender(SITE), SITE],
    ['http with a port', siteSender('http://127.0.0.1:5173'), 'http://127.0.0.1:5173'],
    ['default port is dropped', { url: 'https://site.example:443/x' }, SITE],
    ['no sender.origin (Firefox): from the URL', { url: `${SITE}/deep/path?q=1#h` }, SITE],
    ['blob: URL of a site', { url: `blob:${SITE}/0f0e` }, SITE],
    ['sandboxed frame: origin "null" with an http URL', { url: `${SITE}/x`, origin: 'null' }, null],
    ['sender.origin disagrees with the URL', { url: `${SITE}/x`, origin: OTHER }, null],
    ['about:srcdoc', { url: 'about:srcdoc', origin: 'null' }, null],
    ['about:blank', { url: 'about:blank' }, null],
    ['data: frame', { url: 'data:text/html,<script>1</script>' }, null],
    ['file:', { url: 'file:///etc/passwd' }, null],
    ['ftp:', { url: 'ftp://site.example/' }, null],
    ['extension page', { url: OPTIONS_PAGE }, null],
    ['no URL', {}, null],
    ['unparsable URL', { url: 'not a url' }, null],
  ])('siteOrigin: %s', (_name, sender, expected) => {
    if (expected === null) expect(() => siteOrigin(sender)).toThrow(expect.objectContaining({ code: 'denied' }));
    else expect(siteOrigin(sender)).toBe(expected);
  });

  it('embeddingOrigin: only for a cross-origin sub-frame', () => {
    expect(embeddingOrigin({ url: `${OTHER}/f`, frameId: 3, tab: { url: `${SITE}/` } }, OTHER)).toBe(SITE);
    expect(embeddingOrigin({ url: `${SITE}/f`, frameId: 3, tab: { url: `${SITE}/` } }, SITE)).toBeUndefined();
    expect(embeddingOrigin({ url: `${SITE}/f`, frameId: 0, tab: { url: `${OTHER}/` } }, SITE)).toBeUndefined();
    expect(embeddingOrigin({ url: `${OTHER}/f`, frameId: 3 }, OTHER)).toBe('an unknown site');
  });

  it.each<[string, SenderInfo, boolean]>([
    ['options page', { url: OPTIONS_PAGE }, true],
    ['popup opened in a tab', { url: `${EXT}/src/ui/popup/index.html`, tab: { id: 3, url: `${EXT}/src/ui/popup/index.html` } }, true],
    ['a web page', { url: 'https://evil.example/x' }, false],
    ['our own content script (id is ours, URL is the page)', { id: 'abc', url: 'https://evil.example/x', tab: { id: 1 } }, false],
    ['another extension', { url: 'chrome-extension://other/x.html' }, false],
    ['a host that starts like ours', { url: 'chrome-extension://abcd/x.html' }, false],
    ['moz-extension with the same id', { url: 'moz-extension://abc/x.html' }, false],
    ['about:srcdoc', { url: 'about:srcdoc' }, false],
    ['userinfo trick', { url: `${EXT}@evil.example/x` }, false],
    ['no URL', { id: 'abc' }, false],
  ])('isExtensionPage: %s → %s', (_name, sender, expected) => {
    expect(isExtensionPage(sender, EXT)).toBe(expected);
  });

  it('an opaque ("null") or empty extension origin matches no sender', () => {
    for (const sender of [{ url: 'about:srcdoc' }, { url: 'data:text/html,x' }, { url: 'null/x' }, { url: OPTIONS_PAGE }]) {
      expect(isExtensionPage(sender, '')).toBe(false);
      if (sender.url !== 'null/x') expect(isExtensionPage(sender, 'null')).toBe(false);
    }
  });
});

// ---- admin access --------------------------------------------------------------------------

describe('admin access', () => {
  const outsiders: [string, SenderInfo][] = [
    ['content script on a web page', { id: 'abc', url: 'https://evil.example/path', origin: 'https://evil.example', tab: { id: 5, url: 'https://evil.example/path' }, frameId: 0 }],
    ['web page without tab info', { url: 'https://evil.example/path' }],
    ['sub-frame of a web page', { id: 'abc', url: 'https://evil.example/f', frameId: 4, tab: { id: 5, url: OPTIONS_PAGE } }],
    ['another extension', { id: 'other', url: 'chrome-extension://other/page.html' }],
    ['a lookalike host', { url: 'https://abc/src/ui/options/index.html' }],
    ['about:srcdoc frame', { url: 'about:srcdoc', origin: 'null' }],
    ['data: frame', { url: 'data:text/html,hi' }],
    ['no URL at all (claims our id)', { id: 'abc' }],
  ];
  const attempts: [string, unknown][] = [
    ['grant', { origin: 'https://evil.example', rules: [{ method: 'sign_event' }] }],
    ['lock', {}],
    ['create_account', { password: 'x'.repeat(8) }],
    ['set_settings', { sensitiveKinds: [] }],
    ['revoke_grant', { grantId: 1 }],
    ['export_account', { accountId: 1, password: PW }],
    ['get_status', {}],
    ['no_such_method', {}],
    ['grant', 'not even params'],
  ];

  it.each(outsiders)('%s gets denied for every admin call and nothing changes', async (_name, sender) => {
    const h = await withAccount();
    await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event' }] });
    const before = await snap(h);
    for (const [method, params] of attempts) {
      const r = await h.route({ type: 'admin', method, params }, sender);
      expect(r, method).toEqual({ ok: false, error: { code: 'denied', message: expect.any(String) } });
      // Nothing about the admin surface leaks into the refusal.
      expect(JSON.stringify(r)).not.toContain(h.account!.pubkey);
    }
    expect(await snap(h)).toEqual(before);
    expect(h.ctx.vault.locked).toBe(false);
  });

  it.each<[string, SenderInfo]>([
    ['options page without tab', { url: OPTIONS_PAGE }],
    ['options page opened in a tab', { url: OPTIONS_PAGE, tab: { id: 9, url: OPTIONS_PAGE }, frameId: 0 }],
    ['popup', { id: 'abc', url: `${EXT}/src/ui/popup/index.html` }],
    ['prompt window', { id: 'abc', url: `${EXT}/src/ui/prompt/index.html?x=1`, tab: { id: 11 } }],
  ])('%s works', async (_name, sender) => {
    const h = makeHarness();
    const r = await h.admin('create_account', { password: PW }, sender);
    expect(r.ok).toBe(true);
    expect(await h.admin('get_status', {}, sender)).toMatchObject({ ok: true, result: { locked: false, hasAccount: true } });
  });
});
