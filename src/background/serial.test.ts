// The guard's queue: one task at a time, call order within a lane, round-robin between lanes
// (docs/THREATS.md #34; docs/ARCHITECTURE.md, Decision order, step 6).
import { describe, expect, it } from 'vitest';
import { Serial, type Group } from './serial.ts';

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

describe('Serial', () => {
  it('one lane: call order, one at a time, a failure does not stop the line', async () => {
    const s = new Serial();
    const log: string[] = [];
    let running = 0;
    const task = (name: string, fail = false) => async () => {
      running++;
      expect(running).toBe(1);
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      running--;
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([s.run(task('a')), s.run(task('b', true)), s.run(task('c'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('a task that throws before it returns a promise rejects its own call only', async () => {
    const s = new Serial();
    const bad = s.run(() => {
      throw new Error('sync');
    });
    await expect(bad).rejects.toThrow('sync');
    expect(await s.run(async () => 'next')).toBe('next');
  });

  it('round-robin: a lane with one task waits behind at most one task of a flooded lane', async () => {
    const s = new Serial();
    const order: string[] = [];
    let running = 0;
    const task = (name: string) => async () => {
      running++;
      expect(running).toBe(1);
      await tick();
      order.push(name);
      running--;
    };
    const flood = Array.from({ length: 100 }, (_, i) => s.run(task(`a${i}`), 'a'));
    const b = s.run(task('b'), 'b');
    const c = s.run(task('c'), 'c');
    await Promise.all([...flood, b, c]);
    expect(order.slice(0, 4)).toEqual(['a0', 'b', 'c', 'a1']);
    expect(order.filter((n) => n.startsWith('a'))).toEqual(Array.from({ length: 100 }, (_, i) => `a${i}`));
    expect(s.waiting('a')).toBe(0);
  });

  it('lanes that keep work take turns', async () => {
    const s = new Serial();
    const order: string[] = [];
    const task = (name: string) => async () => {
      await tick();
      order.push(name);
    };
    await Promise.all(['a', 'a', 'a', 'b', 'b', 'b'].map((lane, i) => s.run(task(`${lane}${i % 3}`), lane)));
    expect(order).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
  });

  describe('groups', () => {
    /** A group that records each call's members and settles after a tick. */
    function recorder(max: number) {
      const calls: string[][] = [];
      let running = 0;
      const group: Group<string> = {
        max,
        run: async (members) => {
          running++;
          expect(running).toBe(1);
          calls.push(members);
          await tick();
          running--;
        },
      };
      return { group, calls };
    }

    it('a lone member runs at once, in a call of its own (nothing waits for others to arrive)', () => {
      const s = new Serial();
      const { group, calls } = recorder(8);
      s.join(group, 'a1', 'a');
      // Synchronously: no timer, no tick between the request and its turn.
      expect(calls).toEqual([['a1']]);
    });

    it('the members waiting when a turn comes go together, up to max, taking turns between lanes', async () => {
      const s = new Serial();
      const { group, calls } = recorder(4);
      s.join(group, 'a1', 'a');
      for (const m of ['a2', 'a3', 'a4', 'a5', 'a6']) s.join(group, m, 'a');
      s.join(group, 'b1', 'b');
      s.join(group, 'c1', 'c');
      s.join(group, 'b2', 'b');
      await new Promise((r) => setTimeout(r, 20));
      // While a1 ran, b and c came: they are ahead of a's next turn.
      expect(calls).toEqual([['a1'], ['b1', 'c1', 'a2', 'b2'], ['a3', 'a4', 'a5', 'a6']]);
    });

    it('a plain task ends the gathering and runs on its own; another group is never merged in', async () => {
      const s = new Serial();
      const one = recorder(8);
      const two = recorder(8);
      const order: string[] = [];
      one.group.run = ((run) => async (m: string[]) => (order.push(`one:${m.join(',')}`), run(m)))(one.group.run);
      two.group.run = ((run) => async (m: string[]) => (order.push(`two:${m.join(',')}`), run(m)))(two.group.run);
      s.join(one.group, 'x0', 'a');
      s.join(one.group, 'x1', 'a');
      const task = s.run(async () => void order.push('task'), 'a');
      s.join(one.group, 'x2', 'a');
      s.join(two.group, 'y1', 'b');
      await task;
      await new Promise((r) => setTimeout(r, 20));
      // b's turn comes between a's; x1 and x2 do not merge across the task between them.
      expect(order).toEqual(['one:x0', 'two:y1', 'one:x1', 'task', 'one:x2']);
    });

    it('a group that fails does not stop the line', async () => {
      const s = new Serial();
      const seen: string[][] = [];
      const fine: Group<string> = { max: 8, run: async (m) => void seen.push(m) };
      const failing: Group<string> = { max: 8, run: () => Promise.reject(new Error('failed')) };
      s.join(failing, 'f1');
      s.join(fine, 'ok1');
      await new Promise((r) => setTimeout(r, 10));
      expect(seen).toEqual([['ok1']]);
    });
  });
});
