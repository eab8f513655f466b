'use client';

import { SessionExpiredError } from 'apollo-token-refresh';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { postAuth } from '../lib/client/auth-api';
import { useSession } from '../lib/client/session-context';

/** App name, who is signed in, Sign out; sends the tab to the login page when the session ends. */
export function SessionHeader() {
  const { session, user, hydrated } = useSession();
  const router = useRouter();
  const pathname = usePathname();
  const [leaving, setLeaving] = useState(false);
  const manager = session?.manager;

  // Here or in another tab, by the user or because the session ended.
  useEffect(
    () =>
      manager?.on('logout', (reason) => {
        const why = SessionExpiredError.is(reason) ? 'expired' : 'signed-out';
        if (pathname !== '/login') router.replace(`/login?reason=${why}`);
      }),
    [manager, router, pathname],
  );

  async function signOut() {
    setLeaving(true);
    try {
      // Revokes the session server-side and clears both cookies.
      await postAuth('logout');
    } finally {
      await manager?.logout('signed-out');
      setLeaving(false);
    }
  }

  return (
    <header className="top">
      <span className="brand">apollo-token-refresh · Next.js</span>
      {user && (
        <span className="who">
          Signed in as <strong data-testid="header-user">{user}</strong>
          <button
            type="button"
            data-testid="logout"
            onClick={signOut}
            disabled={leaving || !hydrated}
          >
            {leaving ? 'Signing out…' : 'Sign out'}
          </button>
        </span>
      )}
    </header>
  );
}
