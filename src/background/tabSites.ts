// Which site each tab last made a request from, so the popup can show "the current tab's site"
// without the `tabs` permission (tabs.query gives the popup the active tab's id, not its URL).
// Only top frames are noted; kept in storage.session so a worker restart does not forget it.
import type { SessionStore } from '../vault/sessionStore.ts';

const key = (tabId: number) => `tabSite:${tabId}`;

export class TabSites {
  private readonly known = new Map<number, string>();

  constructor(private readonly session: SessionStore) {}

  note(tabId: number, origin: string): void {
    if (this.known.get(tabId) === origin) return;
    this.known.set(tabId, origin);
    void this.session.set(key(tabId), origin).catch(() => {});
  }

  async get(tabId: number): Promise<string | null> {
    return this.known.get(tabId) ?? (await this.session.get<string>(key(tabId))) ?? null;
  }

  forget(tabId: number): void {
    this.known.delete(tabId);
    void this.session.remove(key(tabId)).catch(() => {});
  }
}
