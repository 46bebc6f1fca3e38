// The toolbar badge: the kill switch when it is on, else the number of requests waiting for a
// person. One place decides what it shows, so neither state overwrites the other. No browser API
// here: index.ts passes in the function that paints it.

export const STOPPED_BADGE = { text: 'STOP', color: '#c62828', title: 'Warden: all signing stopped' } as const;
const PENDING_COLOR = '#3b5bdb';
const TITLE = 'Warden';

export interface BadgeView {
  text: string;
  color: string;
  title: string;
}

/** What the badge shows for a state. */
export function badgeView(stopped: boolean, pending: number): BadgeView {
  if (stopped) return { ...STOPPED_BADGE };
  return { text: pending ? String(pending) : '', color: PENDING_COLOR, title: pending ? `${TITLE}: ${pending} waiting` : TITLE };
}

export class Badge {
  private stopped = false;
  private pending = 0;
  private shown = '';

  constructor(private readonly paint: (view: BadgeView) => void) {}

  setStopped(on: boolean): void {
    this.stopped = on;
    this.render();
  }

  setPending(count: number): void {
    this.pending = count;
    this.render();
  }

  private render(): void {
    const view = badgeView(this.stopped, this.pending);
    const key = JSON.stringify(view);
    if (key === this.shown) return;
    this.shown = key;
    this.paint(view);
  }
}
