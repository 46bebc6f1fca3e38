// Prompt windows: one per browser window that has requests waiting, opened when the first one
// arrives and closed by the background once none is left. When the user closes one, what it held
// is refused; closing any other window, or a prompt window the background closed, refuses nothing.
import browser from 'webextension-polyfill';
import { fail } from '../../shared/errors.ts';
import type { PromptInfo, PromptQueue } from './queue.ts';

const PROMPT_PAGE = 'src/ui/prompt/index.html';
/** An empty queue closes the window after this long (a "remember" empties and refills it). */
const CLOSE_WHEN_EMPTY_MS = 300;
/** Requests without a browser window (none known) share one prompt window. */
const NO_WINDOW = -1;

interface Slot {
  windowId?: number | undefined;
  opening?: boolean;
  closeTimer?: ReturnType<typeof setTimeout> | undefined;
}

const keyOf = (p: PromptInfo) => p.windowId ?? NO_WINDOW;

const SAVED_KEY = 'prompts.windows';

export class PromptWindows {
  private readonly slots = new Map<number, Slot>();
  /** Prompt windows the background is closing itself. */
  private readonly closing = new Set<number>();
  private queue: PromptQueue | undefined;
  private onClosedByPerson: (origins: readonly string[]) => void = () => {};
  private readonly restored: Promise<void>;

  constructor() {
    browser.windows.onRemoved.addListener((id) => this.removed(id));
    this.restored = this.restore();
  }

  /** A restarted worker takes back the prompt windows that are still open, instead of opening more. */
  private async restore(): Promise<void> {
    const saved = ((await browser.storage.session.get(SAVED_KEY))[SAVED_KEY] ?? {}) as Record<string, number>;
    for (const [key, windowId] of Object.entries(saved)) {
      const alive = await browser.windows.get(windowId).then(() => true, () => false);
      if (alive && !this.slots.has(Number(key))) this.slots.set(Number(key), { windowId });
    }
  }

  private save(): void {
    const saved: Record<string, number> = {};
    for (const [key, slot] of this.slots) if (slot.windowId !== undefined) saved[key] = slot.windowId;
    void browser.storage.session.set({ [SAVED_KEY]: saved }).catch(() => undefined);
  }

  /** `onClosedByPerson` hears the sites whose waiting requests a person refused by closing the window. */
  attach(queue: PromptQueue, onClosedByPerson: (origins: readonly string[]) => void = () => {}): void {
    this.queue = queue;
    this.onClosedByPerson = onClosedByPerson;
  }

  /** Called on every change of the pending list. */
  sync(pending: readonly PromptInfo[]): void {
    void this.restored.then(() => this.apply(pending));
  }

  private apply(pending: readonly PromptInfo[]): void {
    const waiting = new Set(pending.map(keyOf));
    for (const key of new Set([...waiting, ...this.slots.keys()])) {
      const slot = this.slots.get(key) ?? {};
      this.slots.set(key, slot);
      clearTimeout(slot.closeTimer);
      if (!waiting.has(key)) {
        if (slot.windowId !== undefined) slot.closeTimer = setTimeout(() => this.closeIfEmpty(key), CLOSE_WHEN_EMPTY_MS);
        else if (!slot.opening) this.slots.delete(key);
      } else if (slot.windowId === undefined && !slot.opening) {
        void this.open(key, slot);
      }
    }
    this.save();
  }

  private pendingFor(key: number): PromptInfo[] {
    return (this.queue?.list() ?? []).filter((p) => keyOf(p) === key);
  }

  private closeIfEmpty(key: number): void {
    const slot = this.slots.get(key);
    if (slot?.windowId === undefined || this.pendingFor(key).length) return;
    this.closing.add(slot.windowId);
    void browser.windows.remove(slot.windowId).catch(() => undefined);
    this.slots.delete(key);
    this.save();
  }

  private removed(id: number): void {
    if (this.closing.delete(id)) {
      this.sync(this.queue?.list() ?? []); // requests that arrived while it closed get a new window
      return;
    }
    for (const [key, slot] of this.slots) {
      if (slot.windowId !== id) continue;
      this.slots.delete(key);
      this.save();
      const held = (this.queue?.awaitingAnswer() ?? []).filter((p) => keyOf(p) === key && !p.need);
      this.queue?.refuseAll(fail('denied', 'The prompt window was closed'), (p) => keyOf(p) === key);
      // Closing the window is one refusal per site it held (the back-off, docs/THREATS.md #38).
      if (held.length) this.onClosedByPerson([...new Set(held.map((p) => p.origin))]);
    }
  }

  private async open(key: number, slot: Slot): Promise<void> {
    slot.opening = true;
    try {
      const url = browser.runtime.getURL(`${PROMPT_PAGE}?for=${key}`);
      // A request from a tab in the background does not take the focus (docs/THREATS.md #38):
      // the window opens behind, and the badge shows the count (src/background/badge.ts).
      const focused = this.pendingFor(key).some((p) => p.sentFrom?.activeTab !== false);
      const props = { url, type: 'popup' as const, width: 460, height: 680 };
      const before = focused ? undefined : await Promise.resolve().then(() => browser.windows.getLastFocused()).catch(() => undefined);
      // A browser that refuses `focused: false` still gets its window (focused, as before).
      const win = await browser.windows.create({ ...props, focused }).catch(() => browser.windows.create(props));
      slot.windowId = win.id;
      // Firefox accepts `focused: false` and focuses the new window anyway: the focus goes back to
      // the window that had it.
      if (!focused && win.focused && before?.id !== undefined && before.id !== win.id) {
        await Promise.resolve().then(() => browser.windows.update(before.id!, { focused: true })).catch(() => undefined);
      }
    } catch {
      // A prompt that cannot be shown must not leave pages waiting (docs/THREATS.md #10).
      this.queue?.refuseAll(fail('denied', 'The prompt window could not be opened'), (p) => keyOf(p) === key);
    } finally {
      slot.opening = false;
    }
    this.sync(this.queue?.list() ?? []);
  }
}
