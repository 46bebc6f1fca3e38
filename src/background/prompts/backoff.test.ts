// The back-off rule (docs/THREATS.md #38), as a table, then through the router: after three
// refusals within a minute a site's new prompts are refused with rate_limited for a minute.
import { describe, expect, it } from 'vitest';
import { BACKOFF_RULE, noteRefusal, pausedUntil, type BackoffState } from './backoff.ts';
import { code, OTHER, SITE, T0, waitPending, withAccount } from '../../test/background.ts';
import { MemorySessionStore } from '../../vault/sessionStore.ts';
import { uniqueDbName } from '../../test/fixtures.ts';

const S = 1_000;
const A = 'https://a.example';
const B = 'https://b.example';

/** Refusals at these offsets (of site A unless told), then: is A paused at `at`, and until when? */
const table: { name: string; refusals: (number | [string, number])[]; at: number; until: number | null }[] = [
  { name: 'no refusal', refusals: [], at: 0, until: null },
  { name: 'two refusals', refusals: [0, 1 * S], at: 2 * S, until: null },
  { name: 'three within a minute', refusals: [0, 10 * S, 20 * S], at: 21 * S, until: 80 * S },
  { name: 'three in a burst', refusals: [0, 0, 0], at: 0, until: 60 * S },
  { name: 'the pause ends 60 s after the third', refusals: [0, 10 * S, 20 * S], at: 80 * S, until: null },
  { name: 'just before its end', refusals: [0, 10 * S, 20 * S], at: 80 * S - 1, until: 80 * S },
  { name: 'three spread over more than a minute', refusals: [0, 30 * S, 60 * S], at: 61 * S, until: null },
  { name: 'the oldest falls out of the window', refusals: [0, 30 * S, 60 * S, 61 * S], at: 62 * S, until: 121 * S },
  { name: 'refusals of another site do not count', refusals: [[B, 0], [B, 1 * S], 2 * S, 3 * S], at: 4 * S, until: null },
  { name: 'a refusal during the pause does not extend it', refusals: [0, 0, 0, 50 * S], at: 59 * S, until: 60 * S },
  { name: 'after a pause the count starts again', refusals: [0, 0, 0, 61 * S, 62 * S], at: 63 * S, until: null },
  { name: 'and a new third refusal pauses again', refusals: [0, 0, 0, 61 * S, 62 * S, 63 * S], at: 64 * S, until: 123 * S },
];

describe('back-off rule', () => {
  it('has the contract numbers: 3 refusals within 60 s pause 60 s', () => {
    expect(BACKOFF_RULE).toEqual({ refusals: 3, withinMs: 60_000, pauseMs: 60_000 });
  });
  it.each(table)('$name', ({ refusals, at, until }) => {
    let state: BackoffState = {};
    for (const r of refusals) state = Array.isArray(r) ? noteRefusal(state, r[0], T0 + r[1]) : noteRefusal(state, A, T0 + r);
    expect(pausedUntil(state, A, T0 + at)).toBe(until === null ? null : T0 + until);
  });
  it('forgets sites with nothing recent', () => {
    let state = noteRefusal({}, B, T0);
    state = noteRefusal(state, A, T0 + 120 * S);
    expect(Object.keys(state)).toEqual([A]);
  });
});

describe('back-off through the router', () => {
  async function denyThree(h: Awaited<ReturnType<typeof withAccount>>) {
    for (let i = 0; i < 3; i++) {
      const p = h.sign(SITE, { content: `try ${i}` });
      const [pending] = await waitPending(h, 1);
      await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'deny' });
      expect(code(await p)).toBe('denied');
      h.clock.t += 5 * S;
    }
  }

  it('the fourth request after three denials gets rate_limited with no prompt, logged with its reason; allowed ones still work', async () => {
    const h = await withAccount();
    await denyThree(h);
    const r = await h.sign(SITE, { content: 'fourth' });
    expect(code(r)).toBe('rate_limited');
    expect(await h.pending()).toEqual([]);
    await h.ctx.activity.flush();
    const last = (await h.ctx.db.activity.toArray()).at(-1)!;
    expect(last).toMatchObject({ origin: SITE, outcome: 'rate_limited', method: 'sign_event' });
    expect(last.reason).toMatch(/refused 3 times within a minute/);
    // Another site still asks.
    const other = h.sign(OTHER);
    const [p] = await waitPending(h, 1);
    await h.ok('resolve_prompt', { promptId: p!.promptId, decision: 'deny' });
    expect(code(await other)).toBe('denied');
    // What the site's rules allow is not held back.
    await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', kind: 1 }] });
    expect(code(await h.sign(SITE))).toBe('ok');
    expect(code(await h.sign(SITE, { kind: 7 }))).toBe('rate_limited');
    // A minute after the third refusal it may ask again.
    h.clock.t += 60 * S;
    const again = h.sign(SITE, { kind: 7 });
    const [q] = await waitPending(h, 1);
    await h.ok('resolve_prompt', { promptId: q!.promptId, decision: 'deny' });
    expect(code(await again)).toBe('denied');
  });

  it('an allowed answer is no refusal', async () => {
    const h = await withAccount();
    for (let i = 0; i < 3; i++) {
      const p = h.sign(SITE);
      const [pending] = await waitPending(h, 1);
      await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: i === 1 ? 'allow' : 'deny' });
      await p;
    }
    const p = h.sign(SITE);
    const [pending] = await waitPending(h, 1);
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'allow' });
    expect(code(await p)).toBe('ok');
  });

  it('the unlock prompt backs off too: three refused unlock windows, and the fourth request of a locked site opens none', async () => {
    const h = await withAccount();
    await h.ok('lock', {});
    for (let i = 0; i < 3; i++) {
      const p = h.sign(SITE, { content: `locked ${i}` });
      const [pending] = await waitPending(h, 1);
      expect(h.ctx.prompts.get(pending!.promptId)?.need).toBe('unlock');
      await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'deny' });
      expect(code(await p)).toBe('locked');
      h.clock.t += 5 * S;
    }
    expect(code(await h.sign(SITE, { content: 'fourth' }))).toBe('rate_limited');
    expect(await h.pending()).toEqual([]);
    // Another site may still ask to be unlocked.
    const other = h.sign(OTHER);
    const [p] = await waitPending(h, 1);
    expect(h.ctx.prompts.get(p!.promptId)?.origin).toBe(OTHER);
    await h.ok('resolve_prompt', { promptId: p!.promptId, decision: 'deny' });
    expect(code(await other)).toBe('locked');
  });

  it('a pause survives a worker restart (storage.session)', async () => {
    const dbName = uniqueDbName('backoff');
    const session = new MemorySessionStore();
    const clock = { t: T0 };
    const h = await withAccount({ dbName, session, clock });
    await denyThree(h);
    const h2 = await withAccount({ dbName, session, clock });
    expect(code(await h2.sign(SITE))).toBe('rate_limited');
  });
});
