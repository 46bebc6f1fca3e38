// One relay connection of the bunker: it subscribes to the NIP-46 requests addressed to the
// bunker's key, publishes replies, reconnects with back-off when the socket drops, and sends a
// small request now and then. That traffic is what keeps a Chrome (116 or later) service worker
// alive while the bunker runs: an active WebSocket with messages flowing resets its idle timer
// (docs/ARCHITECTURE.md, Remote signing). The socket and the timers are injected, so the Node
// tests drive this with the `ws` package against a real relay.

/** The part of a WebSocket this uses (the browser's and the `ws` package's both fit). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type SocketFactory = (url: string) => SocketLike;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
export const REAL_TIMERS: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

const OPEN = 1;
/** Under Chrome's 30 s idle limit, with room to spare. */
export const KEEPALIVE_MS = 20_000;
export const BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000] as const;
const SUB_ID = 'warden-bunker';
const PROBE_ID = 'warden-keepalive';

export interface LinkOptions {
  url: string;
  bunkerPubkey: string;
  socket: SocketFactory;
  timers: Timers;
  /** Seconds: the subscription asks for requests from a little before now (a reconnect misses none). */
  nowSeconds: () => number;
  onEvent: (event: unknown) => void;
  onState?: () => void;
}

export class RelayLink {
  private socket: SocketLike | null = null;
  private attempt = 0;
  private retry: unknown = null;
  private keepalive: unknown = null;
  private stopped = false;
  /** Times this link (re)connected: a test proves a reconnection with it. */
  opens = 0;

  constructor(private readonly opts: LinkOptions) {}

  get url() {
    return this.opts.url;
  }

  get connected(): boolean {
    return this.socket?.readyState === OPEN;
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = s.onmessage = s.onopen = null;
      // Closing a socket that is still connecting reports an error: heard, and ignored.
      s.onerror = () => {};
      try {
        s.close();
      } catch {
        // Already closed.
      }
    }
    this.opts.onState?.();
  }

  /** Sends an event; false when the socket is not open (the caller publishes through another relay). */
  publish(event: unknown): boolean {
    if (!this.connected) return false;
    this.socket!.send(JSON.stringify(['EVENT', event]));
    return true;
  }

  private open(): void {
    let socket: SocketLike;
    try {
      socket = this.opts.socket(this.opts.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.opens += 1;
      // A little history: requests sent while the socket was down are still answered (a replay
      // or a stale one is refused by the request checks, not here).
      socket.send(JSON.stringify(['REQ', SUB_ID, { kinds: [24133], '#p': [this.opts.bunkerPubkey], since: this.opts.nowSeconds() - 60 }]));
      this.armKeepalive();
      this.opts.onState?.();
    };
    socket.onmessage = (ev) => this.receive(ev.data);
    socket.onerror = () => {
      // onclose follows and schedules the retry.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearTimers();
      this.opts.onState?.();
      if (!this.stopped) this.scheduleRetry();
    };
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string' || data.length > 1_000_000) return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (!Array.isArray(message)) return;
    if (message[0] === 'EVENT' && message[1] === SUB_ID) this.opts.onEvent(message[2]);
    if (message[0] === 'EOSE' && message[1] === PROBE_ID) this.socket?.send(JSON.stringify(['CLOSE', PROBE_ID]));
  }

  /** A request that matches nothing: the relay answers EOSE, so messages flow both ways. */
  private armKeepalive(): void {
    this.keepalive = this.opts.timers.setTimeout(() => {
      if (this.connected) this.socket!.send(JSON.stringify(['REQ', PROBE_ID, { kinds: [24133], '#p': [this.opts.bunkerPubkey], limit: 0 }]));
      this.armKeepalive();
    }, KEEPALIVE_MS);
  }

  private scheduleRetry(): void {
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)]!;
    this.attempt += 1;
    this.retry = this.opts.timers.setTimeout(() => {
      this.retry = null;
      if (!this.stopped) this.open();
    }, delay);
  }

  private clearTimers(): void {
    if (this.retry !== null) this.opts.timers.clearTimeout(this.retry);
    if (this.keepalive !== null) this.opts.timers.clearTimeout(this.keepalive);
    this.retry = this.keepalive = null;
  }
}
