// docs/THREATS.md #10: a prompt window that cannot be opened must not leave a page waiting. The
// real PromptWindows runs against a fake `browser` whose windows.create the test controls, wired to
// the real background (router, queue, vault) the way src/background/index.ts wires it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WireResponse } from '../shared/errors.ts';
import { code, logCount, makeHarness, PW, SITE, snap, type Harness } from '../test/background.ts';

type Create = (props: Record<string, unknown>) => Promise<{ id?: number }>;

const fake = vi.hoisted(() => {
  const state = {
    create: (async () => ({ id: 1 })) as (props: Record<string, unknown>) => Promise<{ id?: number }>,
    calls: [] as Record<string, unknown>[],
  };
  const browser = {
    runtime: { getURL: (path: string) => `chrome-extension://abc/${path}` },
    action: { setBadgeText: async () => {} },
    storage: { session: { get: async () => ({}), set: async () => {} } },
    windows: {
      create: (props: Record<string, unknown>) => (state.calls.push(props), state.create(props)),
      get: async () => ({}),
      remove: async () => {},
      onRemoved: { addListener: () => {} },
    },
  };
  return { state, browser };
});
vi.mock('webextension-polyfill', () => ({ default: fake.browser }));

// Imported after the mock is registered (vi.mock is hoisted above every import).
const { PromptWindows } = await import('./prompts/window.ts');

afterEach(() => {
  fake.state.create = async () => ({ id: 1 });
  fake.state.calls = [];
});

/** A browser answers windows.create from another process: in a later task, never synchronously. */
const later = <T>(f: () => T): Promise<T> => new Promise<T>((ok, no) => setTimeout(() => Promise.resolve().then(f).then(ok, no), 0));
const reject: Create = () =>
  later(() => {
    throw new Error('No window could be created');
  });
/** Like a browser that refuses `focused: false` but opens the window without it. */
const rejectUnfocused: Create = (props) =>
  later(() => {
    if ('focused' in props) throw new Error('focused is not supported');
    return { id: 42 };
  });
const never: Create = () => new Promise(() => {});

/** The background with its prompt windows; `promptTimeoutMs` is far beyond the races below. */
function background(promptTimeoutMs = 120_000): Harness {
  let windows: InstanceType<typeof PromptWindows> | undefined;
  const h = makeHarness({ promptTimeoutMs, onPromptsChanged: (pending) => windows?.sync(pending) });
  windows = new PromptWindows();
  windows.attach(h.ctx.prompts);
  return h;
}

/** The response if it comes within `ms`, else 'still waiting'. */
async function within(p: Promise<WireResponse>, ms: number): Promise<string> {
  return Promise.race([p.then(code), new Promise<string>((ok) => setTimeout(() => ok('still waiting'), ms))]);
}

describe('a prompt window that fails to open (docs/THREATS.md #10)', () => {
  it.each([
    { vault: 'unlocked, site not granted', setup: async (h: Harness) => void (await h.ok('create_account', { password: PW })), expected: 'denied' },
    { vault: 'locked', setup: async (h: Harness) => (await h.ok('create_account', { password: PW }), void (await h.ok('lock'))), expected: 'locked' },
    { vault: 'without an account', setup: async () => {}, expected: 'no_account' },
  ])('$vault: windows.create rejects → refused at once with $expected; nothing waits, nothing signed', async ({ setup, expected }) => {
    const h = background();
    await setup(h);
    const before = await snap(h);
    fake.state.create = reject;

    // Measured here: about 1–10 ms. 300 ms leaves room for a slow machine and is still "at once"
    // next to the 2-minute prompt bound.
    const answer = await within(h.sign(SITE), 300);

    expect(answer).toBe(expected);
    // It tried (with the focus choice, then without it) before giving up.
    expect(fake.state.calls).toHaveLength(2);
    expect(await h.pending()).toEqual([]);
    expect(await logCount(h)).toBe(0);
    const after = await snap(h);
    expect(after.grants).toEqual(before.grants);
    expect(after.overrides).toEqual(before.overrides);
  });

  it('the queue is left clean: the next request opens a window again and waits on it', async () => {
    const h = background();
    await h.ok('create_account', { password: PW });
    fake.state.create = reject;
    expect(await within(h.sign(SITE), 1_000)).toBe('denied');

    fake.state.create = async () => ({ id: 7 });
    const next = h.sign(SITE, { content: 'second' });
    expect(await within(next, 300)).toBe('still waiting');
    expect(fake.state.calls).toHaveLength(3);
    const [pending] = await h.pending();
    expect(pending).toMatchObject({ origin: SITE, method: 'sign_event' });
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'deny' });
    expect(code(await next)).toBe('denied');
  });

  it('a browser that only refuses focused: false still gets its window; the request waits for an answer', async () => {
    const h = background();
    await h.ok('create_account', { password: PW });
    fake.state.create = rejectUnfocused;
    const p = h.sign(SITE);
    expect(await within(p, 300)).toBe('still waiting');
    expect(fake.state.calls.map((c) => 'focused' in c)).toEqual([true, false]);
    const [pending] = await h.pending();
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'deny' });
    expect(code(await p)).toBe('denied');
  });

  it('windows.create that never settles: the request still ends, with timeout, at the prompt bound', async () => {
    const h = background(250);
    await h.ok('create_account', { password: PW });
    fake.state.create = never;
    expect(await within(h.sign(SITE), 2_000)).toBe('timeout');
    expect(await h.pending()).toEqual([]);
    expect(await logCount(h)).toBe(0);
  });
});
