/**
 * Runs async tasks one at a time; a failure does not stop the line.
 *
 * Each task belongs to a lane (the guard uses the site's origin). Within a lane tasks run in call
 * order; between lanes the next task is taken round-robin, one per lane with work. So one site's
 * flood makes another site's request wait for at most one task of each other busy lane, never for
 * the whole flood (docs/THREATS.md #34), while still only one task runs at a time: a task starts
 * only after the previous one has settled, which is what the guard relies on
 * (docs/ARCHITECTURE.md, Decision order, step 6).
 *
 * Members of a group (`join`) are gathered when their turn comes: the member whose turn it is,
 * then, taking turns between lanes as above, every member of the same group waiting at that
 * moment (up to the group's max), all handed to one `run` call. Nothing waits for members to
 * arrive: a lone member runs alone at once (docs/ARCHITECTURE.md, Group commit).
 */
export interface Group<M> {
  /** At most this many members per call. */
  max: number;
  /** Runs the members together; each member settles its own caller. Rejecting is the group's own failure. */
  run(members: M[]): Promise<void>;
}

type Item = { task: () => void } | { group: Group<unknown>; member: unknown };

export class Serial {
  private readonly lanes = new Map<string, Item[]>();
  /** Lanes with work, in the order they get their next turn (the running task's lane is not here). */
  private readonly turns: string[] = [];
  private busy = false;
  /** The lane of the running task: after it, its lane goes to the back of the line. */
  private current = '';

  run<T>(task: () => Promise<T>, lane = ''): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.enqueue(
        {
          task: () => {
            let result: Promise<T>;
            try {
              result = task();
            } catch (err) {
              result = Promise.reject(err);
            }
            result.then(resolve, reject).finally(() => this.next());
          },
        },
        lane,
      );
    });
  }

  /** Queues a member of `group` in `lane`; it runs with whatever members of the group wait when its turn comes. */
  join<M>(group: Group<M>, member: M, lane = ''): void {
    this.enqueue({ group: group as Group<unknown>, member }, lane);
  }

  /** How many tasks wait in a lane (not counting one that runs). */
  waiting(lane: string): number {
    return this.lanes.get(lane)?.length ?? 0;
  }

  private enqueue(item: Item, lane: string): void {
    let queue = this.lanes.get(lane);
    if (!queue) this.lanes.set(lane, (queue = []));
    queue.push(item);
    if (!this.busy) this.next();
    else if (queue.length === 1 && lane !== this.current) this.turns.push(lane);
  }

  private take(lane: string): Item {
    const queue = this.lanes.get(lane)!;
    const item = queue.shift()!;
    if (!queue.length) this.lanes.delete(lane);
    return item;
  }

  private next(): void {
    if (this.busy && this.lanes.has(this.current)) this.turns.push(this.current);
    const lane = this.turns.shift() ?? (this.busy ? undefined : this.lanes.keys().next().value);
    if (lane === undefined) {
      this.busy = false;
      return;
    }
    const item = this.take(lane);
    this.busy = true;
    this.current = lane;
    if ('task' in item) {
      item.task();
      return;
    }
    const { group } = item;
    const members = [item.member];
    // Gather in turn order: the lane just served goes to the back, the next lane's first item
    // joins if it is a member of the same group; the first that is not ends the gathering.
    while (members.length < group.max) {
      const requeued = this.lanes.has(this.current);
      if (requeued) this.turns.push(this.current);
      const head = this.turns.length ? this.lanes.get(this.turns[0]!)![0]! : undefined;
      if (!head || !('group' in head) || head.group !== group) {
        if (requeued) this.turns.pop();
        break;
      }
      this.current = this.turns.shift()!;
      members.push((this.take(this.current) as { member: unknown }).member);
    }
    let done: Promise<void>;
    try {
      done = group.run(members);
    } catch (err) {
      done = Promise.reject(err);
    }
    done.catch(() => undefined).finally(() => this.next());
  }
}
