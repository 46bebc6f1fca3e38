// Remote signing in the built extension: a relay on 127.0.0.1 started by the test, a NIP-46
// client in Node (nostr-tools' BunkerSigner) connecting with a token made in the options page,
// signing under the token's cap, a revoke from the popup, a prompt answered with Allow, and a
// worker stopped mid-session that answers the next request once it is back.
import { verifyEvent } from 'nostr-tools/pure';
import { npubEncode } from 'nostr-tools/nip19';
import { test, expect, setupAccount, type Extension } from './fixtures.ts';
import { armed, catchPrompt, stopServiceWorker } from './helpers.ts';
import { openOptions } from './extensionPages.ts';
import { startRelay, type TestRelay } from '../src/test/relay.ts';
import { clientFor, closeClients, outcome } from '../src/test/nip46Client.ts';

let relay: TestRelay;
test.beforeAll(async () => {
  relay = await startRelay();
});
test.afterAll(async () => {
  closeClients();
  await relay.close();
});

const note = (content: string) => ({ kind: 1, content, tags: [], created_at: Math.floor(Date.now() / 1000) });

async function bunkerRunning(ext: Extension) {
  await expect.poll(async () => (await ext.admin<{ relays: { connected: boolean }[] }>('bunker_status')).relays.map((r) => r.connected), { timeout: 10_000 }).toEqual([true]);
}

test('a client connects with a token made in the options page, signs under its cap, and a revoke in the popup binds', async ({ ext }) => {
  const account = await setupAccount(ext);
  const options = await openOptions(ext, 'remote');
  await options.getByTestId('options-remote-relays').fill(relay.url);
  await options.getByTestId('options-remote-start').click();
  await expect(options.getByTestId('options-remote-state')).toHaveText('On');
  await bunkerRunning(ext);
  await options.getByTestId('options-token-cap').fill('2');
  await options.getByTestId('options-token-label').fill('Phone');
  await options.getByTestId('options-token-create').click();
  await expect(options.getByTestId('options-token-qr')).toBeVisible();
  const bunkerUrl = (await options.getByTestId('options-token-url').textContent())!;
  expect(bunkerUrl).toMatch(/^bunker:\/\/[0-9a-f]{64}\?/);

  const client = await clientFor(bunkerUrl);
  expect((await outcome(client.signer.connect({ name: 'Phone app' }), 10_000)).ok).toBe(true);
  expect(await outcome(client.signer.getPublicKey())).toEqual({ ok: true, value: account.pubkey });
  for (const n of ['1', '2']) {
    const r = await outcome(client.signer.signEvent(note(n)));
    expect(r.ok && verifyEvent(r.value)).toBe(true);
  }
  expect(await outcome(client.signer.signEvent(note('3')))).toEqual({ ok: false, error: expect.stringMatching(/^cap_exceeded/) });
  await expect(options.getByTestId('options-remote-client')).toContainText('Phone app');
  // The meter: 2 of 2 used, full.
  await expect(options.getByTestId('options-remote-client-meter').getByRole('meter')).toHaveAttribute('aria-valuenow', '2');
  await expect(options.getByTestId('options-remote-client-meter')).toHaveClass(/full/);

  // The popup lists the client beside the site; its panel revokes the grant.
  const popup = await ext.context.newPage();
  await popup.goto(`chrome-extension://${ext.id}/src/ui/popup/index.html?origin=${encodeURIComponent('https://nothing.example')}`);
  await popup.getByTestId('popup-remote-client').click();
  await expect(popup.getByTestId('popup-site')).toHaveText(client.origin);
  await expect(popup.getByTestId('popup-remote-name')).toContainText('“Phone app”');
  await popup.getByTestId('popup-revoke').click();
  await popup.getByTestId('confirm-ok').click();
  await expect(popup.getByTestId('popup-site-status')).toContainText('no grant');
  // The next request asks (a prompt opens) instead of being signed.
  const prompt = catchPrompt(ext);
  const asked = outcome(client.signer.signEvent({ ...note('after revoke'), kind: 7 }), 15_000);
  const p = await prompt;
  await armed(p);
  await p.getByTestId('prompt-deny').click();
  expect(await asked).toEqual({ ok: false, error: expect.stringMatching(/^denied/) });
  client.close();
});

test('a request the token does not cover opens the prompt; Allow completes it', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('bunker_start', { relays: [relay.url] });
  await bunkerRunning(ext);
  const { bunkerUrl } = await ext.admin<{ bunkerUrl: string }>('create_connect_token', { rules: [{ method: 'get_public_key' }] });
  const client = await clientFor(bunkerUrl);
  expect((await outcome(client.signer.connect({ name: 'Desk' }), 10_000)).ok).toBe(true);
  const prompt = catchPrompt(ext);
  const asked = outcome(client.signer.signEvent(note('please')), 20_000);
  const p = await prompt;
  await expect(p.getByTestId('prompt-origin')).toHaveText(client.origin);
  // Named as the client named itself, with its key (the grant is bound to the key, not the name).
  await expect(p.getByTestId('prompt-remote')).toContainText('“Desk”');
  await expect(p.getByTestId('prompt-remote')).toContainText(npubEncode(client.origin.slice(6)).slice(0, 14));
  await armed(p);
  await p.getByTestId('prompt-allow').click();
  const done = await asked;
  expect(done.ok && verifyEvent(done.value)).toBe(true);
  client.close();
});

test('the worker stopped mid-session: once it is back, the bunker reconnects and answers the next request', async ({ ext }) => {
  await setupAccount(ext);
  await ext.admin('bunker_start', { relays: [relay.url] });
  await bunkerRunning(ext);
  const { bunkerUrl } = await ext.admin<{ bunkerUrl: string }>('create_connect_token', { rules: [{ method: 'sign_event', kind: 1 }] });
  const client = await clientFor(bunkerUrl);
  expect((await outcome(client.signer.connect(), 10_000)).ok).toBe(true);
  expect((await outcome(client.signer.signEvent(note('before')))).ok).toBe(true);
  const before = (await ext.admin<{ workerStartedAt: number }>('get_status')).workerStartedAt;
  await stopServiceWorker(ext.adminPage, ext.id);
  // Something wakes the worker (here an extension page's call; without one, the bunker's alarm
  // within 30 s); it restores the unlocked vault and the bunker reconnects on its own.
  await expect.poll(async () => (await ext.admin<{ workerStartedAt: number }>('get_status')).workerStartedAt, { timeout: 10_000 }).not.toBe(before);
  await bunkerRunning(ext);
  const after = await outcome(client.signer.signEvent(note('after')), 10_000);
  expect(after.ok && verifyEvent(after.value)).toBe(true);
  client.close();
});
