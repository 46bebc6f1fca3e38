// The prompt window: opened when a request waits, refused-all when the user closes it.
import browser from 'webextension-polyfill';
import { fail } from '../../shared/errors.ts';
import type { PromptInfo, PromptQueue } from './queue.ts';

const PROMPT_PAGE = 'src/ui/prompt/index.html';

export class PromptWindow {
  private windowId: number | undefined;
  private opening: Promise<void> | undefined;
  private queue: PromptQueue | undefined;

  constructor() {
    browser.windows.onRemoved.addListener((id) => {
      if (id !== this.windowId) return; // closing any other window affects no prompt
      this.windowId = undefined;
      this.queue?.refuseAll(fail('denied', 'The prompt window was closed'));
    });
  }

  attach(queue: PromptQueue): void {
    this.queue = queue;
  }

  /** Called on every change of the pending list. */
  sync(pending: readonly PromptInfo[]): void {
    void browser.action.setBadgeText({ text: pending.length ? String(pending.length) : '' });
    void browser.runtime.sendMessage({ type: 'prompts-changed' }).catch(() => {});
    if (pending.length === 0 || this.windowId !== undefined || this.opening) return;
    this.opening = this.open().finally(() => (this.opening = undefined));
  }

  private async open(): Promise<void> {
    try {
      const win = await browser.windows.create({ url: browser.runtime.getURL(PROMPT_PAGE), type: 'popup', width: 440, height: 640, focused: true });
      this.windowId = win.id;
    } catch {
      // A prompt that cannot be shown must not leave pages waiting (THREATS.md 10).
      this.queue?.refuseAll(fail('denied', 'The prompt window could not be opened'));
    }
  }
}
