'use client';

import { useSyncExternalStore } from 'react';
import { NO_ACTIVITY, type SessionActivity } from './activity-log';
import type { BrowserSession } from './browser-session';

const noSubscription = () => () => {};

/** This tab's session activity; empty on the server and while hydrating. */
export function useActivity(session: BrowserSession | null): SessionActivity {
  return useSyncExternalStore(
    session ? session.activity.subscribe : noSubscription,
    session ? session.activity.get : () => NO_ACTIVITY,
    () => NO_ACTIVITY,
  );
}
