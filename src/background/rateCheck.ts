// The per-site rate check (docs/THREATS.md #34): how fast a site may be refused. Every refusal
// spends one token of the site's bucket, which refills at a steady rate; with the bucket empty the
// site's requests are refused with rate_limited at the router, before anything about them is read
// or written. Allowed requests spend nothing, so a busy but well-behaved site is never slowed.
import { fail, type WardenError } from '../shared/errors.ts';

export interface RateCheckOptions {
  /** Refusals a site may take in a burst. */
  burst: number;
  /** Refusals a site gets back per second. */
  perSecond: number;
  now: () => number;
}

/** Sites tracked at most; a full bucket carries no information and is the first to go. */
const MAX_SITES = 1_000;

export class RateCheck {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly opts: RateCheckOptions) {}

  /** rate_limited when `origin` was refused too often lately, else null. */
  refusal(origin: string): WardenError | null {
    return this.tokens(origin) < 1 ? fail('rate_limited', `Too many refused requests from ${origin}; wait a moment`) : null;
  }

  /** One refusal of `origin`. */
  spend(origin: string): void {
    const tokens = this.tokens(origin);
    this.buckets.delete(origin);
    this.buckets.set(origin, { tokens: Math.max(0, tokens - 1), at: this.opts.now() });
    if (this.buckets.size > MAX_SITES) this.sweep();
  }

  private tokens(origin: string): number {
    const b = this.buckets.get(origin);
    if (!b) return this.opts.burst;
    const elapsed = Math.max(0, this.opts.now() - b.at) / 1000;
    return Math.min(this.opts.burst, b.tokens + elapsed * this.opts.perSecond);
  }

  private sweep(): void {
    for (const origin of [...this.buckets.keys()]) if (this.tokens(origin) >= this.opts.burst) this.buckets.delete(origin);
    // Still too many (a flood from very many origins): the least recently refused go.
    for (const origin of this.buckets.keys()) {
      if (this.buckets.size <= MAX_SITES) break;
      this.buckets.delete(origin);
    }
  }
}
