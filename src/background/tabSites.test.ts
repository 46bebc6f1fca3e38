import { describe, expect, it } from 'vitest';
import { TabSites } from './tabSites.ts';
import { createContext } from './context.ts';
import { createRouter } from './router.ts';
import { WardenDb } from '../db/schema.ts';
import { uniqueDbName, waitFor } from '../test/fixtures.ts';
import { fail } from '../shared/errors.ts';
import { MemorySessionStore } from '../vault/sessionStore.ts';

describe('TabSites', () => {
  it('remembers the last site of each tab, survives a restart through the session store, forgets a closed tab', async () => {
    const session = new MemorySessionStore();
    const sites = new TabSites(session);
    sites.note(7, 'https://a.example');
    sites.note(7, 'https://b.example');
    sites.note(8, 'https://c.example');
    expect(await sites.get(7)).toBe('https://b.example');
    await new Promise((r) => setTimeout(r, 0));
    const restarted = new TabSites(session); // a new worker: memory empty, session kept
    expect(await restarted.get(7)).toBe('https://b.example');
    restarted.forget(7);
    await new Promise((r) => setTimeout(r, 0));
    expect(await new TabSites(session).get(7)).toBeNull();
    expect(await new TabSites(session).get(8)).toBe('https://c.example');
    expect(await sites.get(99)).toBeNull();
  });

  it('the router notes the site of a tab\'s top frame once it has the origin, and get_tab_site reads that note', async () => {
    const ctx = createContext({ db: new WardenDb(uniqueDbName('tabs')), session: new MemorySessionStore(), extensionOrigin: 'chrome-extension://abc' });
    const route = createRouter(ctx);
    const ask = (url: string, frameId: number) =>
      route({ type: 'nip07', id: 'req-0001', method: 'get_relays', params: {} }, { url, origin: new URL(url).origin, tab: { id: 5, url: 'https://top.example/' }, frameId });
    // With no key yet both wait on a prompt; the note is taken before that.
    const waiting = [ask('https://top.example/page', 0)];
    await waitFor(() => ctx.prompts.list().length === 1);
    waiting.push(ask('https://framed.example/widget', 2)); // an embedded frame does not speak for the tab
    await waitFor(() => ctx.prompts.list().length === 2);
    const reply = await route({ type: 'admin', method: 'get_tab_site', params: { tabId: 5 } }, { url: 'chrome-extension://abc/src/ui/popup/index.html' });
    expect(reply).toEqual({ ok: true, result: { origin: 'https://top.example' } });
    ctx.prompts.refuseAll(fail('denied', 'test over'));
    await Promise.all(waiting);
    ctx.db.close();
  });
});
