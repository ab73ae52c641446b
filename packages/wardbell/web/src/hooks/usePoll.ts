import { useEffect, useRef } from 'react';

/** Calls `fn` now and every `ms` while `active`; the latest `fn` is used, a slow call is not overlapped. */
export function usePoll(fn: () => Promise<void> | void, ms: number, active = true): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        await ref.current();
      } finally {
        if (!stopped) timer = setTimeout(() => void tick(), ms);
      }
    };
    void tick();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [ms, active]);
}
