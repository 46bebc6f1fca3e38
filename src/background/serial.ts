/**
 * Runs async tasks one at a time; a failure does not stop the line.
 *
 * Each task belongs to a lane (the guard uses the site's origin). Within a lane tasks run in call
 * order; between lanes the next task is taken round-robin, one per lane with work. So one site's
 * flood makes another site's request wait for at most one task of each other busy lane, never for
 * the whole flood (docs/THREATS.md #34), while still only one task runs at a time: a task starts
 * only after the previous one has settled, which is what the guard relies on
 * (docs/ARCHITECTURE.md, Decision order, step 6).
 */
export class Serial {
  private readonly lanes = new Map<string, (() => void)[]>();
  /** Lanes with work, in the order they get their next turn (the running task's lane is not here). */
  private readonly turns: string[] = [];
  private busy = false;
  /** The lane of the running task: after it, its lane goes to the back of the line. */
  private current = '';

  run<T>(task: () => Promise<T>, lane = ''): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        let result: Promise<T>;
        try {
          result = task();
        } catch (err) {
          result = Promise.reject(err);
        }
        result.then(resolve, reject).finally(() => this.next());
      };
      let queue = this.lanes.get(lane);
      if (!queue) this.lanes.set(lane, (queue = []));
      queue.push(start);
      if (!this.busy) this.next();
      else if (queue.length === 1 && lane !== this.current) this.turns.push(lane);
    });
  }

  /** How many tasks wait in a lane (not counting one that runs). */
  waiting(lane: string): number {
    return this.lanes.get(lane)?.length ?? 0;
  }

  private next(): void {
    if (this.busy && this.lanes.has(this.current)) this.turns.push(this.current);
    const lane = this.turns.shift() ?? (this.busy ? undefined : this.lanes.keys().next().value);
    if (lane === undefined) {
      this.busy = false;
      return;
    }
    const queue = this.lanes.get(lane)!;
    const start = queue.shift()!;
    if (!queue.length) this.lanes.delete(lane);
    this.busy = true;
    this.current = lane;
    start();
  }
}
