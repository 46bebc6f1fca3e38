// Live data for extension pages: they cannot watch the background's IndexedDB, so they poll the
// admin RPC (about once a second, only while the page is visible). The vault's state (and the
// background's 'prompts-changed' broadcast) goes through the signals of src/ui/control/store.ts.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export function usePoll<T>(load: () => Promise<T>, deps: readonly unknown[], intervalMs = 1_000): { data: T | null; error: string | null; refresh: () => Promise<void> } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const seq = useRef(0);
  const refresh = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const value = await loadRef.current();
      if (mine === seq.current) (setData(value), setError(null));
    } catch (e) {
      if (mine === seq.current) setError((e as Error).message);
    }
  }, []);
  useEffect(() => {
    setData(null);
    void refresh();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void refresh();
    }, intervalMs);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return { data, error, refresh };
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
