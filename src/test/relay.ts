// A real Nostr relay for tests (@nostr-relay/core behind a `ws` server on 127.0.0.1, events in
// memory), started and stopped by the test that needs it. Node only: the unit tests and the e2e
// specs start one each; nothing here reaches the network.
import { WebSocketServer, type WebSocket } from 'ws';
import { NostrRelay } from '@nostr-relay/core';
import { EventRepository, type Event, type Filter } from '@nostr-relay/common';
import { verifyEvent } from 'nostr-tools/pure';
import { matchFilter } from 'nostr-tools/filter';

/** Regular events kept in memory; the relay core itself broadcasts ephemeral ones (NIP-46 is kind 24133). */
class MemoryEvents extends EventRepository {
  private readonly events = new Map<string, Event>();
  isSearchSupported() {
    return false;
  }
  upsert(event: Event) {
    const isDuplicate = this.events.has(event.id);
    this.events.set(event.id, event);
    return { isDuplicate };
  }
  find(filter: Filter): Event[] {
    return [...this.events.values()].filter((e) => matchFilter(filter as never, e as never)).slice(0, filter.limit ?? 500);
  }
  async destroy() {
    this.events.clear();
  }
}

export interface TestRelay {
  url: string;
  /** Every EVENT the relay accepted, in order (a test reads what was published). */
  published: Event[];
  /** Drops every open connection (a relay restart as clients see it). */
  dropAll(): void;
  close(): Promise<void>;
}

export async function startRelay(port = 0): Promise<TestRelay> {
  const relay = new NostrRelay(new MemoryEvents());
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  const published: Event[] = [];
  const sockets = new Set<WebSocket>();
  server.on('connection', (ws) => {
    sockets.add(ws);
    relay.handleConnection(ws as never, '127.0.0.1');
    ws.on('message', async (data) => {
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (!Array.isArray(message)) return;
      // A real relay refuses events that do not verify; the core leaves that to a validator.
      if (message[0] === 'EVENT') {
        const event = message[1] as Event;
        if (!event || typeof event !== 'object' || !verifyEvent(event as never)) {
          ws.send(JSON.stringify(['OK', (event as { id?: unknown })?.id ?? '', false, 'invalid: bad signature']));
          return;
        }
        published.push(event);
      }
      await relay.handleMessage(ws as never, message as never).catch(() => undefined);
    });
    ws.on('close', () => {
      sockets.delete(ws);
      relay.handleDisconnect(ws as never);
    });
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    url: `ws://127.0.0.1:${actual}`,
    published,
    dropAll: () => sockets.forEach((s) => s.terminate()),
    close: async () => {
      sockets.forEach((s) => s.terminate());
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await relay.destroy();
    },
  };
}
