'use client';

import type { TokenStateSource } from 'apollo-token-refresh/react';
import { decodeJwt } from 'jose';
import {
  createContext,
  type ReactNode,
  use,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
} from 'react';
import type { SessionSnapshot } from '../shared/session';
import type { BrowserSession } from './browser-session';

/** What the status hooks need of a manager. */
export type ManagerView = TokenStateSource;

interface SessionContextValue {
  /** This tab's session; `null` on the server. */
  session: BrowserSession | null;
  snapshot: SessionSnapshot | null;
  /** The manager to show: the server's snapshot until hydration is done, then the live one. */
  view: ManagerView;
  /** The signed-in user (the JWT `sub`), `null` when signed out. */
  user: string | null;
  /** `false` on the server and while hydrating: render what the server rendered. */
  hydrated: boolean;
  /** The access token lifetime the API server issues (for the countdown bar). */
  accessTtlMs: number;
}

const SessionContext = createContext<SessionContextValue | null>(null);

const noSubscription = () => () => {};
const useHydrated = () =>
  useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );

/** A fixed manager view of the server's snapshot: what the first paint shows. */
const snapshotView = (snapshot: SessionSnapshot | null): ManagerView => ({
  status: snapshot?.status ?? 'unauthenticated',
  expiresAt: snapshot?.expiresAt ?? null,
  on: () => () => {},
});

const subjectOf = (accessToken: string): string | null => {
  try {
    const { sub } = decodeJwt(accessToken);
    return typeof sub === 'string' ? sub : null;
  } catch {
    return null;
  }
};

export function SessionProvider({
  session,
  snapshot,
  accessTtlMs,
  children,
}: {
  session: BrowserSession | null;
  snapshot: SessionSnapshot | null;
  accessTtlMs: number;
  children: ReactNode;
}) {
  const hydrated = useHydrated();
  const [liveUser, setLiveUser] = useState(snapshot?.user ?? null);
  const manager = session?.manager;

  useEffect(() => {
    if (!manager) return;
    const off = [
      // A sign-in here or in another tab, or a refresh.
      manager.on('tokens', (tokens) => setLiveUser(subjectOf(tokens.accessToken))),
      manager.on('logout', () => setLiveUser(null)),
    ];
    return () => {
      for (const unsubscribe of off) unsubscribe();
    };
  }, [manager]);

  const serverView = useMemo(() => snapshotView(snapshot), [snapshot]);
  const value = useMemo<SessionContextValue>(
    () => ({
      session,
      snapshot,
      view: hydrated && manager ? manager : serverView,
      user: hydrated ? liveUser : (snapshot?.user ?? null),
      hydrated,
      accessTtlMs,
    }),
    [session, snapshot, hydrated, manager, serverView, liveUser, accessTtlMs],
  );
  return <SessionContext value={value}>{children}</SessionContext>;
}

export function useSession(): SessionContextValue {
  const value = use(SessionContext);
  if (!value) throw new Error('useSession() needs <Providers> above it');
  return value;
}
