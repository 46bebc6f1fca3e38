// The prompt window: opened when a request waits, closed by the background once nothing waits.
// When the user closes it, what it held is refused; when the background closes it, nothing is.
import browser from 'webextension-polyfill';
import { fail } from '../../shared/errors.ts';
import type { PromptInfo, PromptQueue } from './queue.ts';

const PROMPT_PAGE = 'src/ui/prompt/index.html';
/** An empty queue closes the window after this long (a "remember" refills it for a moment). */
const CLOSE_WHEN_EMPTY_MS = 300;

export class PromptWindow {
  private windowId: number | undefined;
  private opening: Promise<void> | undefined;
  private queue: PromptQueue | undefined;
  private closingId: number | undefined;
  private closeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    browser.windows.onRemoved.addListener((id) => {
      if (id === this.closingId) {
        this.closingId = undefined;
        // Requests that arrived while it was closing get a new window.
        this.sync(this.queue?.list() ?? []);
        return;
      }
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
    clearTimeout(this.closeTimer);
    if (pending.length === 0) {
      if (this.windowId !== undefined) this.closeTimer = setTimeout(() => this.closeIfEmpty(), CLOSE_WHEN_EMPTY_MS);
      return;
    }
    if (this.windowId !== undefined || this.opening || this.closingId !== undefined) return;
    this.opening = this.open().finally(() => (this.opening = undefined));
  }

  private closeIfEmpty(): void {
    if (this.windowId === undefined || (this.queue?.list().length ?? 0) > 0) return;
    this.closingId = this.windowId;
    this.windowId = undefined;
    void browser.windows.remove(this.closingId).catch(() => (this.closingId = undefined));
  }

  private async open(): Promise<void> {
    try {
      const win = await browser.windows.create({ url: browser.runtime.getURL(PROMPT_PAGE), type: 'popup', width: 440, height: 640, focused: true });
      this.windowId = win.id;
      if (!this.queue?.list().length) this.sync([]);
    } catch {
      // A prompt that cannot be shown must not leave pages waiting (THREATS.md 10).
      this.queue?.refuseAll(fail('denied', 'The prompt window could not be opened'));
    }
  }
}
