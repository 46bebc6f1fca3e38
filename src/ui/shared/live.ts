// The page side of the background's live updates (src/background/liveUpdates.ts): one port per
// page, opened by the first subscriber. A notice names the topics that changed; each subscriber
// re-fetches only when one of its topics is named, and a hidden page keeps what it missed until it
// is shown again (it used to poll only while visible, too).
//
// When the background stops (Chromium's worker, Firefox's event page, after their idle time) the
// port disconnects. Reconnecting at once would start the background again and keep it from ever
// idling, so the page waits for a reason: it is shown or focused, the user presses a key or a
// pointer in it, or the background announces a start it made for someone else (LIVE_STARTED, e.g.
// a site's request, which is what moves an open popup's meter). The new port's first notice names
// every topic, so whatever changed meanwhile is fetched again.
import browser, { type Runtime } from 'webextension-polyfill';
import { LIVE_PORT, LIVE_STARTED, LIVE_TOPICS, type LiveNotice, type LiveTopic } from '../../shared/liveTopics.ts';

export type { LiveTopic };

/** What the pages' data comes from, prompts aside (they have their own views). */
export const DATA_TOPICS: readonly LiveTopic[] = LIVE_TOPICS.filter((t) => t !== 'prompts');

/** `resync`: the notice of a new port (everything may have changed), not of a write. */
export type LiveListener = (info: { resync: boolean }) => void;

interface Subscriber {
  topics: ReadonlySet<LiveTopic>;
  listener: LiveListener;
}

const subscribers = new Set<Subscriber>();
/** Topics named while the page was hidden, delivered when it is shown. */
const missed = new Set<LiveTopic>();
let port: Runtime.Port | null = null;
let wired = false;

function deliver(topics: Iterable<LiveTopic>, resync = false): void {
  const named = new Set(topics);
  if (document.visibilityState !== 'visible') {
    for (const t of named) missed.add(t);
    return;
  }
  for (const s of [...subscribers]) {
    for (const t of named) {
      if (s.topics.has(t)) {
        s.listener({ resync });
        break;
      }
    }
  }
}

function connect(): void {
  if (port || !subscribers.size) return;
  const p = browser.runtime.connect({ name: LIVE_PORT });
  port = p;
  p.onMessage.addListener((message: unknown) => {
    const notice = message as LiveNotice | null;
    if (notice?.type === 'changed' && Array.isArray(notice.topics)) deliver(notice.topics, notice.connected === true);
  });
  // No reconnect here: see the header.
  p.onDisconnect.addListener(() => {
    if (port === p) port = null;
  });
}

function wire(): void {
  if (wired) return;
  wired = true;
  const wake = () => connect();
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible') return;
    connect();
    if (missed.size) {
      const topics = [...missed];
      missed.clear();
      deliver(topics);
    }
  });
  addEventListener('focus', wake);
  addEventListener('pointerdown', wake, true);
  addEventListener('keydown', wake, true);
  browser.runtime.onMessage.addListener((message: unknown) => {
    if ((message as { type?: unknown } | null)?.type === LIVE_STARTED) connect();
    return undefined;
  });
}

/** Calls `listener` whenever one of `topics` changes in the background; returns the unsubscribe. */
export function onLive(topics: readonly LiveTopic[], listener: LiveListener): () => void {
  const s: Subscriber = { topics: new Set(topics), listener };
  subscribers.add(s);
  wire();
  connect();
  return () => {
    subscribers.delete(s);
  };
}

/** Calls `listener` whenever the waiting requests change. */
export function onPromptsChanged(listener: () => void): () => void {
  return onLive(['prompts'], () => listener());
}
