'use client';

import { useEffect, useState } from 'react';

/**
 * `Date.now()`, updated every `intervalMs`. Starts at `initial` (the server's render time), so
 * the server's HTML and the hydrating browser compute the same text; it runs from the first
 * effect on.
 */
export function useClock(initial: number, intervalMs = 200): number {
  const [now, setNow] = useState(initial);
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
