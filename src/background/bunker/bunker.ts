// The bunker as a service: its relays (one RelayLink each), its answerer, and start / stop /
// status. Built with its socket, timers, clock and request handler injected, so the Node tests run
// the very object the background runs (docs/ARCHITECTURE.md, Remote signing).
import { toBunkerURL } from 'nostr-tools/nip46';
import { bunkerIdentity, getBunkerConfig, setBunkerConfig, type BunkerIdentity } from '../../db/bunkerStore.ts';
import type { WardenDb } from '../../db/schema.ts';
import type { BunkerStatus } from '../../shared/adminResults.ts';
import { Answerer, type AnswerDeps, type Handled } from './answer.ts';
import type { RemoteHandler } from './dispatch.ts';
import { RelayLink, REAL_TIMERS, type SocketFactory, type Timers } from './relayLink.ts';

export interface BunkerOptions {
  db: WardenDb;
  now: () => number;
  handle: RemoteHandler;
  socket: SocketFactory;
  timers?: Timers;
  accountId: () => number | null;
  sessionId: () => string;
  onChange?: () => void;
  /** Every answer or drop, for tests. */
  onHandled?: (handled: Handled) => void;
}

export class Bunker {
  private links: RelayLink[] = [];
  private answerer: Answerer | null = null;
  private identity: BunkerIdentity | null = null;
  private configured: string[] = [];

  constructor(private readonly opts: BunkerOptions) {}

  get running(): boolean {
    return this.answerer !== null;
  }

  /** Starts (or moves to new relays); the relays given are remembered, as is that it is on. */
  async start(relays?: string[]): Promise<{ bunkerPubkey: string; relays: string[] }> {
    const config = await getBunkerConfig(this.opts.db);
    const chosen = relays ?? config.relays;
    if (!chosen.length) throw new Error('no relays');
    await setBunkerConfig(this.opts.db, { enabled: true, relays: chosen });
    this.identity = await bunkerIdentity(this.opts.db);
    this.disconnect();
    this.configured = [...chosen];
    const deps: AnswerDeps = {
      db: this.opts.db,
      now: this.opts.now,
      identity: this.identity,
      handle: this.opts.handle,
      accountId: this.opts.accountId,
      sessionId: this.opts.sessionId,
      relays: () => [...this.configured],
      publish: (event) => this.publish(event),
      ...(this.opts.onChange ? { onClientsChanged: this.opts.onChange } : {}),
    };
    this.answerer = new Answerer(deps);
    for (const url of chosen) this.connect(url);
    this.opts.onChange?.();
    return { bunkerPubkey: this.identity.pubkey, relays: [...chosen] };
  }

  /** Stops and remembers that it is off (bunker_stop). */
  async stop(): Promise<void> {
    const config = await getBunkerConfig(this.opts.db);
    await setBunkerConfig(this.opts.db, { ...config, enabled: false });
    this.pause();
  }

  /** Stops without changing the stored choice (the vault locked): it starts again on unlock. */
  pause(): void {
    this.disconnect();
    this.answerer = null;
    this.opts.onChange?.();
  }

  /** Starts if the stored choice says on and it is not running. */
  async resume(): Promise<void> {
    if (this.running) return;
    const config = await getBunkerConfig(this.opts.db);
    if (config.enabled && config.relays.length) await this.start(config.relays);
  }

  /** Also listens on the relays of a client's nostrconnect:// URI (for this session). */
  addRelays(urls: string[]): void {
    for (const url of urls) if (!this.links.some((l) => l.url === url)) this.connect(url);
  }

  async bunkerUrl(secret: string): Promise<string> {
    const identity = this.identity ?? (await bunkerIdentity(this.opts.db));
    const relays = this.configured.length ? this.configured : (await getBunkerConfig(this.opts.db)).relays;
    return toBunkerURL({ pubkey: identity.pubkey, relays, secret });
  }

  accept(): Answerer | null {
    return this.answerer;
  }

  async status(): Promise<BunkerStatus> {
    const clients = await this.opts.db.bunkerClients.toArray();
    return {
      running: this.running,
      relays: this.links.map((l) => ({ url: l.url, connected: l.connected })),
      clients: clients
        .filter((c) => c.endedAt === null)
        .map((c) => ({ origin: c.origin, ...(c.name ? { name: c.name } : {}), connectedAt: c.connectedAt })),
    };
  }

  /** How many times each relay (re)connected: a test proves a reconnection. */
  opens(): number[] {
    return this.links.map((l) => l.opens);
  }

  private connect(url: string): void {
    const identity = this.identity!;
    const link = new RelayLink({
      url,
      bunkerPubkey: identity.pubkey,
      socket: this.opts.socket,
      timers: this.opts.timers ?? REAL_TIMERS,
      nowSeconds: () => Math.floor(this.opts.now() / 1000),
      onEvent: (event) => {
        const answerer = this.answerer;
        if (answerer) void answerer.receive(event).then((h) => this.opts.onHandled?.(h));
      },
      ...(this.opts.onChange ? { onState: this.opts.onChange } : {}),
    });
    this.links.push(link);
    link.start();
  }

  private publish(event: unknown): void {
    for (const link of this.links) link.publish(event);
  }

  private disconnect(): void {
    for (const link of this.links.splice(0)) link.stop();
  }
}
