// The guard's queue: one task at a time, call order within a lane, round-robin between lanes
// (docs/THREATS.md #34; docs/ARCHITECTURE.md, Decision order, step 6).
import { describe, expect, it } from 'vitest';
import { Serial } from './serial.ts';

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
});
