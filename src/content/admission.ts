// How many of a frame's calls the bridge has sent on and not yet had answered, and the line of
// those waiting to be sent. A page may ask for hundreds of things at once for good reasons (an
// inbox of 200 gift wraps at login is 200 decrypts, then 200 more): those wait here in order and
// go on as answers come back, instead of being refused. What reaches the background at any moment
// stays bounded (docs/THREATS.md #34), and so does the line: past it a call is refused at once.
// When the background says the frame is asking too much (`rate_limited`), the line is refused at
// once too (`refuseWaiting`): a flood then reaches the background about a hundred calls at a
// time, not a thousand, while an honest burst the background answers never has its line cut.
export class Admission {
  private running = 0;
  private readonly line: { start: () => void; refuse: () => void }[] = [];

  constructor(
    readonly maxRunning: number,
    readonly maxWaiting: number,
  ) {}

  /**
   * Runs `task` now, or once a place frees (first come, first sent); false = refused, both full.
   * `refuse` is called instead of `task` if the line is refused before its turn.
   */
  offer(task: () => Promise<unknown>, refuse: () => void = () => {}): boolean {
    if (this.running < this.maxRunning) {
      this.start(task);
      return true;
    }
    if (this.line.length >= this.maxWaiting) return false;
    this.line.push({ start: () => this.start(task), refuse });
    return true;
  }

  /** Refuses every call still waiting to be sent (those in flight go on). */
  refuseWaiting(): void {
    for (const waiting of this.line.splice(0)) waiting.refuse();
  }

  get sizes(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.line.length };
  }

  private start(task: () => Promise<unknown>): void {
    this.running++;
    const done = () => {
      this.running--;
      this.line.shift()?.start();
    };
    // A task that throws at once frees its place just the same.
    Promise.resolve()
      .then(task)
      .then(done, done);
  }
}
