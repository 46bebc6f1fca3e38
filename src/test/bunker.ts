// The bunker as the Node tests drive it: a real background context whose bunker talks to a real
// relay (src/test/relay.ts) over the `ws` package, and real NIP-46 clients (src/test/nip46Client.ts)
// on the same relay. The clock starts at the real time, because the client stamps its requests
// with Date.now() and the bunker checks their freshness against its own clock.
import { withAccount, type AccountHarness, type HarnessSetup } from './background.ts';
import { waitFor } from './fixtures.ts';
import type { TestRelay } from './relay.ts';
import { wsSocket } from './nip46Client.ts';

export { clientFor, closeClients, outcome, requestEvent, wsSocket, type Client } from './nip46Client.ts';

export interface BunkerHarness extends AccountHarness {
  bunkerPubkey: string;
}

/** An unlocked vault with one account and the bunker running on `relay`, connected. */
export async function bunkerOn(relay: TestRelay, setup: HarnessSetup = {}): Promise<BunkerHarness> {
  const h = await withAccount({ clock: { t: Date.now() }, bunkerSocket: wsSocket, ...setup });
  const { bunkerPubkey } = await h.ok('bunker_start', { relays: [relay.url] });
  await waitFor(async () => ((await h.ok('bunker_status')).relays.every((r: { connected: boolean }) => r.connected) ? true : null), 5_000, 'the bunker to connect');
  return Object.assign(h, { bunkerPubkey });
}

