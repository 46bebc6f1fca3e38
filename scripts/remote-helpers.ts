// What scripts/screenshots-remote.mjs, scripts/bunker-uptime.mjs (and the bench) take from the test helpers: a relay and a NIP-46 client.
export { startRelay } from '../src/test/relay.ts';
export { clientFor, closeClients, outcome } from '../src/test/nip46Client.ts';
