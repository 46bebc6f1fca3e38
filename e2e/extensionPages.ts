// Helpers for the popup, options, keys-and-data and welcome specs: the popup and options pages opened as tabs.
import type { Page } from '@playwright/test';
import { expect, type Extension } from './fixtures.ts';

/** The popup page as a tab, showing `origin` as the current site (?origin=, see src/ui/popup/main.tsx). */
export async function openPopup(ext: Extension, origin: string): Promise<Page> {
  const page = await ext.context.newPage();
  await page.goto(`chrome-extension://${ext.id}/src/ui/popup/index.html?origin=${encodeURIComponent(origin)}`);
  await expect(page.getByTestId('popup-site-panel')).toBeVisible();
  return page;
}

export async function openOptions(ext: Extension, tab: string): Promise<Page> {
  const page = await ext.context.newPage();
  await page.goto(`chrome-extension://${ext.id}/src/ui/options/index.html#${tab}`);
  await expect(page.getByTestId(`options-tab-${tab}`)).toHaveAttribute('aria-selected', 'true');
  return page;
}

export const signScript = (kind = 1, content = 'hello') =>
  `window.nostr.signEvent(${JSON.stringify({ kind, content, tags: [], created_at: Math.floor(Date.now() / 1000) })})`;

/** Signs `n` events of `kind` in the page, one after another; returns the codes of the refusals ('ok' for a signature). */
export function signMany(page: Page, n: number, kind = 1): Promise<string[]> {
  return page.evaluate(
    async ([count, k]) => {
      const out: string[] = [];
      for (let i = 0; i < count; i++) {
        try {
          await window.nostr!.signEvent({ kind: k, content: `n${i}`, tags: [], created_at: Math.floor(Date.now() / 1000) });
          out.push('ok');
        } catch (e) {
          out.push((e as { code?: string }).code ?? 'none');
        }
      }
      return out;
    },
    [n, kind] as const,
  );
}

declare global {
  interface Window {
    nostr?: {
      signEvent(e: unknown): Promise<unknown>;
      getPublicKey(): Promise<string>;
      nip44: { encrypt(pk: string, text: string): Promise<string> };
    };
  }
}
