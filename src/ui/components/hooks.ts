// Live data for extension pages. They cannot watch the background's IndexedDB, and asking every
// second would cost work all the time and keep the background from ever idling; so the background
// pushes which topics changed (src/ui/shared/live.ts) and the page re-fetches then. The vault's
// state goes through the signals of src/ui/manage/store.ts.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { DATA_TOPICS, onLive, type LiveTopic } from '../shared/live.ts';

/** Fields of admin results that say when the data changes by itself: a window frees, something expires. */
const SELF_CHANGING = new Set(['freesAt', 'expiresAt']);
/** setTimeout's limit; later times are looked at again on the next fetch. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The earliest future time in `value`'s freesAt / expiresAt fields, or null. */
export function nextChangeAt(value: unknown, now: number): number | null {
  let next: number | null = null;
  const walk = (v: unknown, depth: number) => {
    if (depth > 6 || typeof v !== 'object' || v === null) return;
    if (Array.isArray(v)) {
      for (const item of v) walk(item, depth + 1);
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'number') {
        if (SELF_CHANGING.has(k) && x > now && (next === null || x < next)) next = x;
      } else walk(x, depth + 1);
    }
  };
  walk(value, 0);
  return next;
}

/**
 * Loads `load()` on mount (and when `deps` change), then again whenever the background says one of
 * `topics` changed, and once when a window shown in the data frees up or something in it expires
 * (those change with no write). `intervalMs` is how often at most it re-fetches: the first change
 * after a quiet spell at once, the rest of a burst together at the end of the interval. The name
 * is from when it polled; the call sites keep it.
 */
export function usePoll<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
  intervalMs = 1_000,
  topics: readonly LiveTopic[] = DATA_TOPICS,
): { data: T | null; error: string | null; refresh: () => Promise<void> } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const seq = useRef(0);
  const selfTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const mounted = useRef(true);
  useEffect(() => () => void (mounted.current = false), []);
  const refresh = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const value = await loadRef.current();
      if (mine !== seq.current) return;
      setData(value);
      setError(null);
      // A timer from data the page already has; it asks again only when that moment comes.
      clearTimeout(selfTimer.current);
      const at = nextChangeAt(value, Date.now());
      if (at !== null && at - Date.now() < MAX_TIMER_MS) selfTimer.current = setTimeout(() => whenVisible(() => mounted.current && refresh()), at - Date.now() + 50);
    } catch (e) {
      if (mine === seq.current) setError((e as Error).message);
    }
  }, []);
  useEffect(() => {
    setData(null);
    void refresh();
    let last = 0;
    let trailing: ReturnType<typeof setTimeout> | undefined;
    const onChange = ({ resync }: { resync: boolean }) => {
      // A new port's notice (after a restart of the background, say) is fetched at once and does
      // not count: the write that started the background follows it closely.
      if (resync) return void refresh();
      if (trailing !== undefined) return;
      const wait = last + intervalMs - Date.now();
      if (wait <= 0) {
        last = Date.now();
        void refresh();
      } else {
        trailing = setTimeout(() => {
          trailing = undefined;
          last = Date.now();
          void refresh();
        }, wait);
      }
    };
    const off = onLive(topics, onChange);
    return () => {
      off();
      clearTimeout(trailing);
      clearTimeout(selfTimer.current);
    };
    // `deps` are the caller's: a change means a new subscription and a fresh load. `load` is
    // read through a ref, so a new function each render is not a reason to resubscribe.
  }, deps);
  return { data, error, refresh };
}

/** Runs `fn` now if the page is visible, else once it is shown. */
function whenVisible(fn: () => unknown): void {
  if (document.visibilityState === 'visible') {
    void fn();
    return;
  }
  const shown = () => {
    if (document.visibilityState !== 'visible') return;
    document.removeEventListener('visibilitychange', shown);
    void fn();
  };
  document.addEventListener('visibilitychange', shown);
}

/** Runs an action, keeping its error to show; returns whether it succeeded. */
export function useAction(): { busy: boolean; error: string | null; run: (fn: () => Promise<unknown>) => Promise<boolean>; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      return true;
    } catch (e) {
      setError((e as Error).message);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: () => setError(null) };
}
