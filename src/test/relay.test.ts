// The test relay is a relay: an event published by one client reaches another's subscription.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { startRelay } from './relay.ts';

describe('test relay', () => {
  it('passes an ephemeral event from a publisher to a subscriber and refuses a forged one', async () => {
    const relay = await startRelay();
    try {
      const sk = generateSecretKey();
      const sub = new WebSocket(relay.url);
      await new Promise((r) => sub.once('open', r));
      const got: unknown[] = [];
      sub.on('message', (d) => got.push(JSON.parse(d.toString())));
      sub.send(JSON.stringify(['REQ', 's', { kinds: [24133], '#p': [getPublicKey(sk)] }]));
      const pub = new WebSocket(relay.url);
      await new Promise((r) => pub.once('open', r));
      const event = finalizeEvent({ kind: 24133, content: 'x', tags: [['p', getPublicKey(sk)]], created_at: Math.floor(Date.now() / 1000) }, sk);
      const answers: unknown[] = [];
      pub.on('message', (d) => answers.push(JSON.parse(d.toString())));
      pub.send(JSON.stringify(['EVENT', { ...event, content: 'forged' }]));
      pub.send(JSON.stringify(['EVENT', event]));
      await new Promise((r) => setTimeout(r, 200));
      expect(got.filter((m) => (m as unknown[])[0] === 'EVENT').map((m) => (m as any)[2].id)).toEqual([event.id]);
      expect(answers.some((a) => (a as unknown[])[0] === 'OK' && (a as unknown[])[2] === false)).toBe(true);
      sub.close();
      pub.close();
    } finally {
      await relay.close();
    }
  });
});
