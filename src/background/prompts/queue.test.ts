import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PromptQueue, type PromptAnswer, type PromptInfo } from './queue.ts';
import { fail, WardenError } from '../../shared/errors.ts';

const A = 'https://a.example';
const B = 'https://b.example';

let clock = 1_000;
let changes: (readonly PromptInfo[])[] = [];

function queue(opts: { maxPerOrigin?: number; maxTotal?: number; timeoutMs?: number; asked?: string[] } = {}) {
  return new PromptQueue({
    maxPerOrigin: opts.maxPerOrigin ?? 3,
    ...(opts.maxTotal === undefined ? {} : { maxTotal: opts.maxTotal }),
    onAsked: (info) => opts.asked?.push(`asked ${info.origin}`),
    onRateLimited: (r, e) => opts.asked?.push(`rate_limited ${r.origin}: ${e.message}`),
    timeoutMs: opts.timeoutMs ?? 10_000,
    now: () => clock,
    onChange: (pending) => changes.push(pending),
  });
}

function req(origin: string, kind: number | null = 1): Omit<PromptInfo, 'promptId' | 'createdAt'> {
  return { origin, accountId: 1, method: 'sign_event', kind, reason: 'no rule', details: { type: 'none' } };
}

/** Records how a promise settled without leaving a rejection unhandled. */
function track(p: Promise<PromptAnswer>) {
  const state: { value?: PromptAnswer; error?: WardenError; settled: boolean } = { settled: false };
  p.then(
    (value) => Object.assign(state, { value, settled: true }),
    (error: WardenError) => Object.assign(state, { error, settled: true }),
  );
  return state;
}

const flush = () => new Promise<void>((r) => queueMicrotask(r)).then(() => undefined);

beforeEach(() => {
  clock = 1_000;
  changes = [];
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('PromptQueue', () => {
  it('lists waiting prompts oldest first with unique ids and the queue clock as createdAt', () => {
    const q = queue();
    track(q.ask(req(A, 1)));
    clock = 1_005;
    track(q.ask(req(B, 2)));
    clock = 1_010;
    track(q.ask(req(A, 3)));
    const list = q.list();
    expect(list.map((p) => [p.origin, p.kind, p.createdAt])).toEqual([
      [A, 1, 1_000],
      [B, 2, 1_005],
      [A, 3, 1_010],
    ]);
    expect(new Set(list.map((p) => p.promptId)).size).toBe(3);
    for (const p of list) expect(q.get(p.promptId)).toEqual(p);
    expect(changes.map((c) => c.length)).toEqual([1, 2, 3]);
  });

  it('bound per origin: the next request of that site is refused at once with rate_limited; other sites still queue', async () => {
    const q = queue({ maxPerOrigin: 2 });
    track(q.ask(req(A)));
    track(q.ask(req(A)));
    const third = track(q.ask(req(A)));
    await flush();
    expect(third.settled).toBe(true); // no timer needed: refused at once
    expect(third.error?.code).toBe('rate_limited');
    expect(q.list()).toHaveLength(2);
    const other = track(q.ask(req(B)));
    expect(q.list()).toHaveLength(3);
    await flush();
    expect(other.settled).toBe(false);
  });

  it('global bound: past maxTotal waiting in all, any site is refused at once; tooMany says so before asking', async () => {
    const seen: string[] = [];
    const q = queue({ maxPerOrigin: 2, maxTotal: 3, asked: seen });
    track(q.ask(req(A)));
    track(q.ask(req(A)));
    expect(q.tooMany(A)?.code).toBe('rate_limited');
    expect(q.tooMany(B)).toBeNull();
    track(q.ask(req(B)));
    expect(q.tooMany(B)?.code).toBe('rate_limited');
    expect(q.tooMany('https://c.example')?.message).toBe('Too many requests are waiting for an answer');
    const fourth = track(q.ask(req('https://c.example')));
    await flush();
    expect(fourth.error?.code).toBe('rate_limited');
    expect(q.list()).toHaveLength(3);
    expect(seen).toEqual(['asked https://a.example', 'asked https://a.example', 'asked https://b.example', 'rate_limited https://c.example: Too many requests are waiting for an answer']);
    // A request sent back through the guard is not counted by tooMany (its place is its own), but a new one cannot take that place.
    q.recheck((p) => p.origin === B);
    await flush();
    expect(q.tooMany(B)).toBeNull();
    expect(track(q.ask(req('https://c.example'))).settled).toBe(false);
    await flush();
    expect(q.list()).toHaveLength(3);
  });

  it('the bound frees up when an answer arrives', async () => {
    const q = queue({ maxPerOrigin: 1 });
    track(q.ask(req(A)));
    const [first] = q.list();
    expect(q.approve(first!.promptId)).toBe(true);
    const next = track(q.ask(req(A)));
    await flush();
    expect(next.settled).toBe(false);
    expect(q.list()).toHaveLength(1);
  });

  it('a re-asked request (previous) bypasses the bound and keeps its id and createdAt', async () => {
    const q = queue({ maxPerOrigin: 1 });
    const first = q.ask(req(A));
    const [info] = q.list();
    q.recheck((p) => p.origin === A);
    const answer = await first;
    expect(answer).toEqual({ type: 'recheck', prompt: info });
    // Still listed while it goes back through the guard (the window must not close meanwhile),
    // and still counted against the site's bound.
    expect(q.list()).toHaveLength(1);
    const extra = track(q.ask(req(A)));
    await flush();
    expect(extra.error?.code).toBe('rate_limited');
    clock = 5_000;
    track(q.ask(req(A), info));
    const again = q.get(info!.promptId);
    expect(again).toMatchObject({ promptId: info!.promptId, createdAt: 1_000 });
    expect(q.list()).toHaveLength(1);
    // forget() only drops an entry that is being rechecked, not one that waits on an answer.
    q.forget(info!.promptId);
    expect(q.list()).toHaveLength(1);
  });

  it('times out after timeoutMs with code timeout and leaves the list', async () => {
    const q = queue({ timeoutMs: 500 });
    const s = track(q.ask(req(A)));
    await vi.advanceTimersByTimeAsync(499);
    expect(s.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.error).toBeInstanceOf(WardenError);
    expect(s.error?.code).toBe('timeout');
    expect(q.list()).toEqual([]);
    expect(changes.at(-1)).toEqual([]);
  });

  it('a re-asked request keeps its original deadline', async () => {
    const q = queue({ timeoutMs: 500 });
    const first = q.ask(req(A));
    const [info] = q.list();
    clock = 1_400;
    q.recheck((p) => p.origin === A);
    await first;
    const s = track(q.ask(req(A), info));
    await vi.advanceTimersByTimeAsync(99);
    expect(s.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.error?.code).toBe('timeout');
  });

  it('approve resolves once; a second answer to the same id is ignored', async () => {
    const q = queue();
    const p = q.ask(req(A));
    const [info] = q.list();
    expect(q.approve(info!.promptId)).toBe(true);
    expect(q.approve(info!.promptId)).toBe(false);
    expect(q.refuse(info!.promptId, fail('denied', 'x'))).toBe(false);
    await expect(p).resolves.toEqual({ type: 'approved', prompt: info });
    // The timer was cleared: nothing fires later.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(q.list()).toEqual([]);
  });

  it('refuse rejects with the given error', async () => {
    const q = queue();
    const p = q.ask(req(A));
    const [info] = q.list();
    expect(q.refuse(info!.promptId, fail('denied', 'The user denied this request'))).toBe(true);
    await expect(p).rejects.toMatchObject({ code: 'denied' });
    expect(q.approve('unknown')).toBe(false);
    expect(q.refuse('unknown', fail('denied', 'x'))).toBe(false);
  });

  it('recheck settles only the given origin', async () => {
    const q = queue();
    const a1 = track(q.ask(req(A)));
    const b1 = track(q.ask(req(B)));
    const a2 = track(q.ask(req(A)));
    q.recheck((p) => p.origin === A);
    await flush();
    expect(a1.value?.type).toBe('recheck');
    expect(a2.value?.type).toBe('recheck');
    expect(b1.settled).toBe(false);
    // Rechecked entries stay listed, unanswerable, until their new pass ends.
    expect(q.list().map((p) => p.origin)).toEqual([A, B, A]);
    expect(q.claim(a1.value!.prompt.promptId)).toBeUndefined();
    q.forget(a2.value!.prompt.promptId);
    expect(q.list().map((p) => p.origin)).toEqual([B]);
  });

  it('refuseAll refuses everything, or only what the filter selects', async () => {
    const q = queue();
    const a = track(q.ask(req(A)));
    const b = track(q.ask(req(B)));
    q.refuseAll(fail('denied', 'window closed'), (p) => p.origin === B);
    await flush();
    expect(b.error?.code).toBe('denied');
    expect(a.settled).toBe(false);
    q.refuseAll(fail('denied', 'window closed'));
    await flush();
    expect(a.error?.code).toBe('denied');
    expect(q.list()).toEqual([]);
  });

  it('onChange reports every change with the current list', async () => {
    const q = queue();
    track(q.ask(req(A)));
    track(q.ask(req(B)));
    const [first] = q.list();
    q.approve(first!.promptId);
    q.refuseAll(fail('denied', 'x'));
    await flush();
    expect(changes.map((c) => c.map((p) => p.origin))).toEqual([[A], [A, B], [B], []]);
  });
});
