import { describe, expect, it } from 'vitest';
import { TabSites, tabSitesFor } from './tabSites.ts';
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

  it('one instance per session store', () => {
    const s = new MemorySessionStore();
    expect(tabSitesFor(s)).toBe(tabSitesFor(s));
    expect(tabSitesFor(s)).not.toBe(tabSitesFor(new MemorySessionStore()));
  });
});
