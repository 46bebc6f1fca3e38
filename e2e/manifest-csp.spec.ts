// The manifest's content security policy as Chromium applies it to our pages (docs/THREATS.md
// #42): the header is the manifest's; no string is evaluated and no inline script or handler runs;
// a <base> cannot re-point the page; none of our pages can be shown in a frame, neither by a web
// page nor by another of our own pages.
//
// Note: Playwright's page.evaluate runs through the DevTools protocol, which Chromium exempts from
// the page's CSP (an eval('1') inside it succeeds). Each check therefore makes the page run the code
// itself — a timer given a string, an inserted <script>, an onclick attribute — and looks at the
// result and at the page's own securitypolicyviolation events.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { EXTENSION_DIR, expect, openSite, setupAccount, test, type Extension } from './fixtures.ts';
import { openOptions } from './extensionPages.ts';
import { sleep } from './helpers.ts';

const OUR_PAGES = ['src/ui/prompt/index.html', 'src/ui/options/index.html', 'src/ui/popup/index.html'];
const MANIFEST_CSP = (JSON.parse(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8')) as { content_security_policy: { extension_pages: string } })
  .content_security_policy.extension_pages;

/** Frames `path` (one of our pages) from `host` and says what the frame ended up showing. */
async function frameOurPage(host: Page, ext: Extension, path: string): Promise<{ urls: string[]; ran: boolean }> {
  await host.evaluate((src) => {
    const f = document.createElement('iframe');
    f.src = src;
    document.body.append(f);
  }, `chrome-extension://${ext.id}/${path}`);
  await sleep(800);
  const children = host.frames().filter((f) => f !== host.mainFrame());
  let ran = false;
  for (const frame of children) {
    // A page of ours that loaded answers with its own URL; the error page Chromium puts in its place does not.
    const href = await frame.evaluate(() => location.href).catch(() => '');
    if (href.startsWith(`chrome-extension://${ext.id}/`)) ran = true;
  }
  return { urls: children.map((f) => f.url()), ran };
}

test('each of our pages is served with the manifest\'s CSP', async ({ ext }) => {
  expect(MANIFEST_CSP).toContain("object-src 'none'");
  expect(MANIFEST_CSP).toContain("frame-ancestors 'none'");
  for (const path of OUR_PAGES) {
    const page = await ext.context.newPage();
    const response = await page.goto(`chrome-extension://${ext.id}/${path}`);
    expect((await response!.allHeaders())['content-security-policy'], path).toBe(MANIFEST_CSP);
    await page.close();
  }
});

test('an extension page evaluates no string and runs no inline script or handler; a <base> is refused', async ({ ext }) => {
  await setupAccount(ext);
  const page = await openOptions(ext, 'sites');
  const r = await page.evaluate(async () => {
    const violated: string[] = [];
    document.addEventListener('securitypolicyviolation', (e) => violated.push(`${e.effectiveDirective} ${e.blockedURI}`));
    const w = window as unknown as { __timer?: boolean; __inline?: boolean; __handler?: boolean; __fn?: boolean };
    // A string given to a timer is evaluated as code by the page itself.
    setTimeout('window.__timer = true' as unknown as () => void, 0);
    // new Function, called from the page's own timer callback (not from the test's evaluation).
    await new Promise<void>((ok) =>
      setTimeout(() => {
        try {
          new Function('window.__fn = true')();
        } catch {
          /* refused by the CSP */
        }
        ok();
      }, 0),
    );
    const script = document.createElement('script');
    script.textContent = 'window.__inline = true';
    document.body.append(script);
    const button = document.createElement('button');
    button.setAttribute('onclick', 'window.__handler = true');
    document.body.append(button);
    button.click();
    const base = document.createElement('base');
    base.href = 'https://evil.example/';
    document.head.append(base);
    await new Promise((ok) => setTimeout(ok, 500));
    return { ran: [w.__timer, w.__fn, w.__inline, w.__handler].map(Boolean), baseURI: document.baseURI, violated };
  });
  expect(r.ran).toEqual([false, false, false, false]);
  expect(r.baseURI.startsWith(`chrome-extension://${ext.id}/`)).toBe(true);
  expect(r.violated).toEqual(expect.arrayContaining(['script-src eval', 'script-src-elem inline', 'script-src-attr inline', 'base-uri https://evil.example/']));
});

for (const path of OUR_PAGES) {
  test(`${path} cannot be framed, by a web page or by another of our pages`, async ({ ext }) => {
    await setupAccount(ext);
    const site = await openSite(ext, '/blank.html');
    const fromSite = await frameOurPage(site, ext, path);
    expect(fromSite.ran).toBe(false);
    expect(fromSite.urls).toHaveLength(1);

    // Our own page: same origin, no web-accessible rule in the way — only frame-ancestors stops it.
    const own = await ext.context.newPage();
    await own.goto(`chrome-extension://${ext.id}/src/ui/options/index.html?rpc`);
    const fromOwn = await frameOurPage(own, ext, path);
    expect(fromOwn.ran).toBe(false);
    expect(fromOwn.urls).toEqual(['chrome-error://chromewebdata/']);
  });
}
