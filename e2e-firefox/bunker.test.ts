// Remote signing in real Firefox: the event page's bunker on a relay on 127.0.0.1, a Node NIP-46
// client connecting with a token, signing under its cap; and whether the event page stays up
// (and connected) past its idle timeout while the bunker runs.
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import { verifyEvent } from 'nostr-tools/pure';
import { launchFirefox, setupAccount, sleep, until, type Extension } from './fixtures.ts';
import { startRelay, type TestRelay } from '../src/test/relay.ts';
import { clientFor, closeClients, outcome } from '../src/test/nip46Client.ts';

let relay: TestRelay;
let ext: Extension;
beforeAll(async () => {
  relay = await startRelay();
});
afterAll(async () => {
  await relay.close();
});
beforeEach(async () => {
  ext = await launchFirefox();
});
afterEach(async () => {
  closeClients();
  await ext?.close();
});

const note = (content: string) => ({ kind: 1, content, tags: [], created_at: Math.floor(Date.now() / 1000) });
const connected = () =>
  until('the bunker to connect', async () => ((await ext.admin<{ relays: { connected: boolean }[] }>('bunker_status')).relays.every((r) => r.connected) ? true : undefined), 10_000);

test('a client connects with a token and signs under its cap', async () => {
  const { pubkey } = await setupAccount(ext);
  await ext.admin('bunker_start', { relays: [relay.url] });
  await connected();
  const { bunkerUrl } = await ext.admin<{ bunkerUrl: string }>('create_connect_token', { rules: [{ method: 'get_public_key' }, { method: 'sign_event', kind: 1, maxUsageCount: 1, windowSeconds: 3600 }] });
  const c = await clientFor(bunkerUrl);
  expect((await outcome(c.signer.connect({ name: 'Firefox test' }), 10_000)).ok).toBe(true);
  expect(await outcome(c.signer.getPublicKey())).toEqual({ ok: true, value: pubkey });
  const first = await outcome(c.signer.signEvent(note('one')));
  expect(first.ok && verifyEvent(first.value) && first.value.pubkey === pubkey).toBe(true);
  expect(await outcome(c.signer.signEvent(note('two')))).toEqual({ ok: false, error: expect.stringMatching(/^cap_exceeded/) });
  c.close();
});

test('with the bunker on, the event page outlives its idle timeout and keeps answering', async () => {
  await setupAccount(ext);
  await ext.admin('bunker_start', { relays: [relay.url] });
  await connected();
  const { bunkerUrl } = await ext.admin<{ bunkerUrl: string }>('create_connect_token', { rules: [{ method: 'sign_event', kind: 1 }] });
  const c = await clientFor(bunkerUrl);
  expect((await outcome(c.signer.connect(), 10_000)).ok).toBe(true);
  // 25 s from the next start (this stops the running page); an admin call starts it again, and
  // the bunker resumes with it (the vault stays unlocked in storage.session).
  await ext.setBackgroundIdle(25_000);
  await connected();
  const before = await ext.status();
  const states: string[] = [];
  for (let t = 0; t < 45_000; t += 1_000) {
    states.push(await ext.backgroundState());
    await sleep(1_000);
  }
  console.log(`event page with the bunker on, 45 s untouched (idle timeout 25 s): ${[...new Set(states)].join(' → ')}`);
  const signed = await outcome(c.signer.signEvent(note('after 45 s')), 10_000);
  console.log(`a request after 45 s: ${signed.ok ? 'answered' : signed.error}`);
  expect(states.every((s) => s === 'running')).toBe(true);
  expect(signed.ok).toBe(true);
  expect((await ext.status()).workerStartedAt).toBe(before.workerStartedAt);
  c.close();
});
