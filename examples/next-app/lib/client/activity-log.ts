import { RefreshFailedError, SessionExpiredError, type TokenManager } from 'apollo-token-refresh';
import type { createAuthWsClient } from 'apollo-token-refresh/ws';

export interface SessionEvent {
  id: number;
  /** Epoch ms. */
  at: number;
  kind: 'refreshing' | 'tokens' | 'refresh-failed' | 'logout' | 'socket';
  text: string;
}

export interface SessionActivity {
  /** Newest first, at most `MAX_EVENTS`. */
  events: readonly SessionEvent[];
  /** Refreshes this tab saw start (`refreshing` events). */
  refreshes: number;
  /** When the last refresh started (epoch ms), for the status that stays visible. */
  lastRefreshStartedAt: number | null;
  /** Socket connections after the first: each one authenticated with a newer token. */
  socketReauths: number;
}

export const NO_ACTIVITY: SessionActivity = {
  events: [],
  refreshes: 0,
  lastRefreshStartedAt: null,
  socketReauths: 0,
};

const MAX_EVENTS = 12;

const failure = (error: unknown) =>
  SessionExpiredError.is(error)
    ? 'the session ended'
    : RefreshFailedError.is(error)
      ? 'transient, the session is kept'
      : 'unexpected';

/**
 * What happens to this tab's session, as a log a component can subscribe to
 * (`useSyncExternalStore`): the manager's events and the socket's connections. Recording starts
 * with the tab's session, so the refresh that restores it on page load is in it. Only times and
 * outcomes: never a token.
 */
export function createActivityLog(
  manager: TokenManager,
  ws: ReturnType<typeof createAuthWsClient>,
) {
  let activity = NO_ACTIVITY;
  let next = 0;
  let connections = 0;
  const listeners = new Set<() => void>();
  const update = (change: Partial<SessionActivity>, kind?: SessionEvent['kind'], text?: string) => {
    const events =
      kind && text
        ? [{ id: next++, at: Date.now(), kind, text }, ...activity.events].slice(0, MAX_EVENTS)
        : activity.events;
    activity = { ...activity, ...change, events };
    for (const listener of listeners) listener();
  };

  manager.on('refreshing', () =>
    update(
      { refreshes: activity.refreshes + 1, lastRefreshStartedAt: Date.now() },
      'refreshing',
      'refreshing the access token…',
    ),
  );
  manager.on('tokens', (tokens) => {
    const started = activity.lastRefreshStartedAt;
    const took = started === null ? '' : `, ${Date.now() - started} ms after the refresh started`;
    const life = tokens.expiresAt
      ? `, valid ${Math.round((tokens.expiresAt - Date.now()) / 1000)} s`
      : '';
    update({}, 'tokens', `new access token${life}${took}`);
  });
  manager.on('refreshFailed', (error) =>
    update({}, 'refresh-failed', `refresh failed: ${failure(error)}`),
  );
  manager.on('logout', (reason) =>
    update(
      {},
      'logout',
      `signed out (${SessionExpiredError.is(reason) ? 'the session ended' : 'by the user'})`,
    ),
  );
  ws.on('connected', () => {
    connections++;
    if (connections === 1) update({}, 'socket', 'socket connected');
    else
      update(
        { socketReauths: activity.socketReauths + 1 },
        'socket',
        'socket re-authenticated with the new token',
      );
  });

  return {
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get: () => activity,
  };
}
