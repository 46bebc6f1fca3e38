// The wire contract of the live updates between the background (src/background/liveUpdates.ts)
// and the extension's pages (src/ui/shared/live.ts). Kept apart and free of imports so that the
// pages' bundles get these few constants and not the background module (which pulls in Dexie).

export const LIVE_PORT = 'warden:live';
/** Broadcast once by a starting background, so that open pages whose port went away reconnect. */
export const LIVE_STARTED = 'warden:live-started';

export const LIVE_TOPICS = ['policy', 'log', 'activity', 'settings', 'vault', 'prompts'] as const;
export type LiveTopic = (typeof LIVE_TOPICS)[number];

/** What the background posts on a live port. */
export interface LiveNotice {
  type: 'changed';
  topics: LiveTopic[];
  /** On a port's first notice: every topic is named because the page may have missed anything. */
  connected?: true;
}
