// How many error replies strangers (clients that never connected) get: a few per key per minute
// and a bound for all of them, so a flood of junk requests through a relay cannot make the
// bunker flood the relay back (docs/THREATS.md, Remote signing).
export const PER_KEY_PER_MINUTE = 5;
export const ALL_PER_MINUTE = 60;
const MINUTE = 60_000;

export class ReplyBudget {
  private windowStart = 0;
  private total = 0;
  private readonly perKey = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /** Whether one more reply to `key` fits now. */
  take(key: string): boolean {
    const now = this.now();
    if (now - this.windowStart >= MINUTE) {
      this.windowStart = now;
      this.total = 0;
      this.perKey.clear();
    }
    const used = this.perKey.get(key) ?? 0;
    if (used >= PER_KEY_PER_MINUTE || this.total >= ALL_PER_MINUTE) return false;
    this.perKey.set(key, used + 1);
    this.total += 1;
    return true;
  }
}
