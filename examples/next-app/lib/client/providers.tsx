'use client';

import { ApolloLink, HttpLink } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import {
  ApolloClient,
  ApolloNextAppProvider,
  InMemoryCache,
} from '@apollo/client-integration-nextjs';
import {
  createTokenRefreshLink,
  type RefreshFunction,
  TokenManager,
  type TokenStatus,
  webStorage,
} from 'apollo-token-refresh';
import { createAuthWsClient } from 'apollo-token-refresh/ws';
import { OperationTypeNode } from 'graphql';
import { createContext, type ReactNode, use, useSyncExternalStore } from 'react';
import type { ClientConfig } from './config';

/**
 * The refresh token is an httpOnly cookie scoped to /api/auth: page script never sees it, so
 * `refreshToken` is undefined here and the endpoint reads the cookie. A 401 carries `status`,
 * which the manager's default `isSessionEnded` treats as the end of the session.
 */
const refreshWithCookie: RefreshFunction = async ({ signal }) => {
  const res = await fetch('/api/auth/refresh', {
    method: 'POST',
    credentials: 'same-origin',
    signal,
  });
  if (!res.ok)
    throw Object.assign(new Error(`Refresh answered ${res.status}`), { status: res.status });
  const { accessToken, expiresAt } = (await res.json()) as {
    accessToken: string;
    expiresAt: number;
  };
  return { accessToken, expiresAt };
};

// One manager per browser tab. Only ever assigned in the browser (see `useManager`): on the
// server every request builds its own (lib/apollo-rsc.ts), never a module-level one.
let tabManager: TokenManager | undefined;

const STORAGE_KEY = 'apollo-token-refresh';

function browserManager(config: ClientConfig, initialToken: string | null): TokenManager {
  // Only the short-lived access token is stored (the refresh token is an httpOnly cookie). Shared
  // by the tabs, so a tab that waited for another tab's refresh reads its result at once.
  const storage = webStorage(localStorage, STORAGE_KEY);
  if (initialToken && !localStorage.getItem(STORAGE_KEY))
    storage.save({ accessToken: initialToken });
  tabManager ??= new TokenManager({
    refresh: refreshWithCookie,
    storage,
    refreshBeforeExpiryMs: config.refreshBeforeExpiryMs,
    scheduleRefresh: true,
    crossTab: true,
  });
  return tabManager;
}

function makeClient(manager: TokenManager | null, config: ClientConfig) {
  // Server rendering of client components: hooks read the cache only (useQuery is cache-only
  // during SSR with this integration), so this client never sends a request and holds no token.
  if (!manager) return new ApolloClient({ cache: new InMemoryCache(), link: ApolloLink.empty() });
  const ws = new GraphQLWsLink(createAuthWsClient(manager, { url: config.wsUrl }));
  const http = ApolloLink.from([
    createTokenRefreshLink(manager),
    new HttpLink({ uri: '/graphql' }),
  ]);
  return new ApolloClient({
    cache: new InMemoryCache(),
    link: ApolloLink.split((op) => op.operationType === OperationTypeNode.SUBSCRIPTION, ws, http),
  });
}

const ManagerContext = createContext<TokenManager | null>(null);

export function Providers({
  config,
  initialToken,
  children,
}: {
  config: ClientConfig;
  /** This request's access token cookie: an httpOnly cookie that page script cannot read. */
  initialToken: string | null;
  children: ReactNode;
}) {
  const manager = typeof window === 'undefined' ? null : browserManager(config, initialToken);
  return (
    <ManagerContext value={manager}>
      <ApolloNextAppProvider makeClient={() => makeClient(manager, config)}>
        {children}
      </ApolloNextAppProvider>
    </ManagerContext>
  );
}

const noop = () => () => {};

/**
 * This tab's manager; `null` on the server and during hydration, so the first browser render
 * matches the server's HTML (React does not patch attributes that differ while hydrating).
 */
export function useManager(): TokenManager | null {
  const manager = use(ManagerContext);
  return useSyncExternalStore(
    noop,
    () => manager,
    () => null,
  );
}

/** The manager's status, re-rendered on every `status` event ('unauthenticated' on the server). */
export function useSessionStatus(): TokenStatus {
  const manager = useManager();
  return useSyncExternalStore(
    manager ? (onChange) => manager.on('status', onChange) : noop,
    () => manager?.status ?? 'unauthenticated',
    () => 'unauthenticated',
  );
}
