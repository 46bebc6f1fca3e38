// First run: installing opens the welcome page (no key yet); creating a key there sets the signer
// up; the next browser start (same profile) does not open it again.
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROME_PATH, EXTENSION_DIR, expect, PASSWORD, test, WELCOME_URL } from './fixtures.ts';

const launch = (profile: string) =>
  chromium.launchPersistentContext(profile, {
    executablePath: CHROME_PATH,
    headless: true,
    args: [`--disable-extensions-except=${EXTENSION_DIR}`, `--load-extension=${EXTENSION_DIR}`, '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });

async function welcomePage(context: BrowserContext, ms: number): Promise<Page | null> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const page = context.pages().find((p) => WELCOME_URL.test(p.url()));
    if (page) return page;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  return null;
}

test('installing opens the welcome page; a key created there sets up the signer; a restart does not open it again', async () => {
  const profile = mkdtempSync(join(tmpdir(), 'warden-welcome-'));
  try {
    const first = await launch(profile);
    try {
      const welcome = await welcomePage(first, 15_000);
      expect(welcome, 'the welcome page opened on install').not.toBeNull();
      await expect(welcome!.getByTestId('welcome')).toBeVisible();
      await welcome!.getByTestId('welcome-create-label').fill('Main');
      await welcome!.getByTestId('welcome-create-password').fill(PASSWORD);
      await welcome!.getByTestId('welcome-create-password-again').fill('not the same');
      await welcome!.getByTestId('welcome-create-submit').click();
      await expect(welcome!.getByTestId('welcome-create-error')).toHaveText('The two passwords differ');
      await welcome!.getByTestId('welcome-create-password-again').fill(PASSWORD);
      await welcome!.getByTestId('welcome-create-submit').click();
      await expect(welcome!.getByTestId('welcome-done')).toBeVisible({ timeout: 30_000 });
      const status = await welcome!.evaluate(() => chrome.runtime.sendMessage({ type: 'admin', method: 'get_status', params: {} }));
      expect(status).toMatchObject({ ok: true, result: { hasAccount: true, locked: false, account: { label: 'Main' } } });
      await welcome!.getByTestId('welcome-continue').click();
      await expect(welcome!.getByTestId('options-tab-accounts')).toHaveAttribute('aria-selected', 'true');
    } finally {
      await first.close();
    }
    const second = await launch(profile);
    try {
      await (second.serviceWorkers()[0] ?? second.waitForEvent('serviceworker'));
      expect(await welcomePage(second, 3_000), 'no welcome page on a later start').toBeNull();
    } finally {
      await second.close();
    }
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
});
