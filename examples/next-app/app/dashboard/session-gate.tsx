'use client';

import { SessionExpiredError } from 'apollo-token-refresh';
import { useRouter } from 'next/navigation';
import { type ReactNode, useEffect } from 'react';
import { useManager } from '../../lib/session';

/** Sends the tab to the login page when the session ends, here or in another tab. */
export function SessionGate({ children }: { children: ReactNode }) {
  const manager = useManager();
  const router = useRouter();

  useEffect(
    () =>
      manager?.on('logout', (reason) => {
        const why = SessionExpiredError.is(reason) ? 'expired' : 'signed-out';
        router.replace(`/login?reason=${why}`);
      }),
    [manager, router],
  );

  return children;
}
