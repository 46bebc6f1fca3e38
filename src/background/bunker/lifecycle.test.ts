// The bunker runs while the vault is unlocked: a lock stops it, an unlock starts it again, and a
// worker restart (a new context on the same database and session) resumes it.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRelay, type TestRelay } from '../../test/relay.ts';
import { wsSocket } from '../../test/bunker.ts';
import { makeHarness, PW, type Harness } from '../../test/background.ts';
import { waitFor } from '../../test/fixtures.ts';
import { MemorySessionStore } from '../../vault/sessionStore.ts';
import { followVault, syncBunker } from './lifecycle.ts';

vi.setConfig({ testTimeout: 20_000 });

let relay: TestRelay;
beforeAll(async () => {
  relay = await startRelay();
});
afterAll(async () => {
  await relay.close();
});

function following(setup: { dbName?: string; memory?: MemorySessionStore } = {}): Harness {
  let h: Harness | undefined;
  const memory = setup.memory ?? new MemorySessionStore();
  const session = followVault(memory, () => void (h && syncBunker(h.ctx)));
  h = makeHarness({ session: session as MemorySessionStore, clock: { t: Date.now() }, bunkerSocket: wsSocket, ...(setup.dbName ? { dbName: setup.dbName } : {}) });
  return h;
}

const running = (h: Harness) => waitFor(async () => ((await h.ok('bunker_status')).running ? true : null), 3_000, 'running');
const stopped = (h: Harness) => waitFor(async () => ((await h.ok('bunker_status')).running ? null : true), 3_000, 'stopped');

describe('bunker lifecycle', () => {
  it('a lock pauses it, an unlock resumes it, bunker_stop keeps it off', async () => {
    const memory = new MemorySessionStore();
    const h = following({ memory });
    await h.ok('create_account', { password: PW });
    await h.ok('bunker_start', { relays: [relay.url] });
    await running(h);
    await h.ok('lock');
    await stopped(h);
    await h.ok('unlock', { password: PW });
    await running(h);
    await h.ok('bunker_stop');
    await h.ok('lock');
    await h.ok('unlock', { password: PW });
    await new Promise((r) => setTimeout(r, 100));
    expect((await h.ok('bunker_status')).running).toBe(false);
  });

  it('a restarted worker with the vault still unlocked resumes the bunker on the same key', async () => {
    const memory = new MemorySessionStore();
    const first = following({ memory });
    await first.ok('create_account', { password: PW });
    const { bunkerPubkey } = await first.ok('bunker_start', { relays: [relay.url] });
    first.ctx.bunker.pause();
    const second = following({ memory, dbName: first.dbName });
    await syncBunker(second.ctx);
    await running(second);
    const { bunkerUrl } = await second.ok('create_connect_token', { rules: [{ method: 'get_public_key' }] });
    expect(bunkerUrl).toContain(bunkerPubkey);
  });
});
