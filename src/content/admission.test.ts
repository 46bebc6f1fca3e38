import { describe, expect, it } from 'vitest';
import { Admission } from './admission.ts';

/** A task that ends when told: `open[i]()`. */
function tasks(admission: Admission, n: number) {
  const started: number[] = [];
  const finish: (() => void)[] = [];
  const offered = Array.from({ length: n }, (_, i) =>
    admission.offer(
      () =>
        new Promise<void>((resolve) => {
          started.push(i);
          finish[i] = resolve;
        }),
    ),
  );
  return { started, finish, offered };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('the bridge’s admission of a frame’s calls', () => {
  it.each([
    { running: 3, waiting: 2, n: 2, accepted: 2, refused: 0 },
    { running: 3, waiting: 2, n: 5, accepted: 5, refused: 0 },
    { running: 3, waiting: 2, n: 9, accepted: 5, refused: 4 },
    { running: 100, waiting: 1_000, n: 1_150, accepted: 1_100, refused: 50 },
  ])('$n calls, $running at a time and $waiting in line: $accepted taken, $refused refused', async ({ running, waiting, n, accepted, refused }) => {
    const a = new Admission(running, waiting);
    const { started, offered } = tasks(a, n);
    await tick();
    expect(offered.filter(Boolean)).toHaveLength(accepted);
    expect(offered.filter((x) => !x)).toHaveLength(refused);
    // Never more sent on at once than the bound.
    expect(started).toHaveLength(Math.min(n, running));
    expect(a.sizes).toEqual({ running: Math.min(n, running), waiting: Math.max(0, accepted - running) });
  });

  it('a waiting call goes on, in order, as soon as one in flight is answered; the line empties', async () => {
    const a = new Admission(2, 10);
    const { started, finish } = tasks(a, 5);
    await tick();
    expect(started).toEqual([0, 1]);
    finish[1]!();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    finish[0]!();
    finish[2]!();
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    finish[3]!();
    finish[4]!();
    await tick();
    expect(a.sizes).toEqual({ running: 0, waiting: 0 });
    // Room again: a new call starts at once.
    expect(tasks(a, 1).offered).toEqual([true]);
  });

  it('a task that fails frees its place too', async () => {
    const a = new Admission(1, 5);
    const ran: string[] = [];
    a.offer(async () => {
      ran.push('first');
      throw new Error('no');
    });
    a.offer(async () => {
      ran.push('second');
    });
    await tick();
    await tick();
    expect(ran).toEqual(['first', 'second']);
    expect(a.sizes).toEqual({ running: 0, waiting: 0 });
  });

  it('refusing the line: every waiting call is refused, none is sent, those in flight go on, new ones start', async () => {
    const a = new Admission(2, 10);
    const started: number[] = [];
    const refused: number[] = [];
    const finish: (() => void)[] = [];
    for (let i = 0; i < 6; i++) {
      a.offer(
        () => new Promise<void>((resolve) => {
          started.push(i);
          finish[i] = resolve;
        }),
        () => refused.push(i),
      );
    }
    await tick();
    a.refuseWaiting();
    expect(refused).toEqual([2, 3, 4, 5]);
    finish[0]!();
    finish[1]!();
    await tick();
    expect(started).toEqual([0, 1]);
    expect(a.sizes).toEqual({ running: 0, waiting: 0 });
  });
});
