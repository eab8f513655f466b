'use client';

import { RefreshFailedError, SessionExpiredError } from 'apollo-token-refresh';
import { useEffect, useState } from 'react';
import type { BrowserSession } from './browser-session';

export interface SessionEvent {
  id: number;
  /** Epoch ms. */
  at: number;
  kind: 'refreshing' | 'tokens' | 'refresh-failed' | 'logout' | 'socket';
  text: string;
}

export interface SessionActivity {
  /** Newest first, at most `MAX_EVENTS`. */
  events: SessionEvent[];
  /** Refreshes this tab saw start (`refreshing` events). */
  refreshes: number;
  /** New tokens: a refresh here or in another tab, or a sign-in. */
  newTokens: number;
  /** When the last refresh started here (epoch ms), for the status that stays visible. */
  lastRefreshStartedAt: number | null;
  /** Socket connections after the first: each one a re-authentication with a new token. */
  socketReauths: number;
}

const MAX_EVENTS = 12;

const why = (error: unknown) =>
  SessionExpiredError.is(error)
    ? 'session ended'
    : RefreshFailedError.is(error)
      ? 'transient, session kept'
      : 'failed';

/**
 * What happened to this tab's session, as a log: the manager's events and the socket's
 * (re)connections. Nothing here holds a token: only times and outcomes.
 */
export function useSessionEvents(session: BrowserSession | null): SessionActivity {
  const [activity, setActivity] = useState<SessionActivity>({
    events: [],
    refreshes: 0,
    newTokens: 0,
    lastRefreshStartedAt: null,
    socketReauths: 0,
  });

  useEffect(() => {
    if (!session) return;
    const { manager, ws } = session;
    let next = 0;
    let refreshStartedAt: number | null = null;
    let connections = 0;
    const log = (kind: SessionEvent['kind'], text: string) =>
      setActivity((previous) => ({
        ...previous,
        events: [{ id: next++, at: Date.now(), kind, text }, ...previous.events].slice(
          0,
          MAX_EVENTS,
        ),
      }));

    const off = [
      manager.on('refreshing', () => {
        const startedAt = Date.now();
        refreshStartedAt = startedAt;
        setActivity((previous) => ({
          ...previous,
          refreshes: previous.refreshes + 1,
          lastRefreshStartedAt: startedAt,
        }));
        log('refreshing', 'refreshing the access token…');
      }),
      manager.on('tokens', (tokens) => {
        const took = refreshStartedAt === null ? '' : `, after ${Date.now() - refreshStartedAt} ms`;
        refreshStartedAt = null;
        const life = tokens.expiresAt
          ? `, valid ${Math.round((tokens.expiresAt - Date.now()) / 1000)} s`
          : '';
        setActivity((previous) => ({ ...previous, newTokens: previous.newTokens + 1 }));
        log('tokens', `new access token${took}${life}`);
      }),
      manager.on('refreshFailed', (error) => {
        refreshStartedAt = null;
        log('refresh-failed', `refresh failed: ${why(error)}`);
      }),
      manager.on('logout', (reason) =>
        log(
          'logout',
          `signed out (${SessionExpiredError.is(reason) ? 'session ended' : 'by the user'})`,
        ),
      ),
      ws.on('connected', () => {
        connections++;
        if (connections === 1) log('socket', 'socket connected');
        else {
          setActivity((previous) => ({ ...previous, socketReauths: previous.socketReauths + 1 }));
          log('socket', 'socket re-authenticated');
        }
      }),
    ];
    return () => {
      for (const unsubscribe of off) unsubscribe();
    };
  }, [session]);

  return activity;
}
