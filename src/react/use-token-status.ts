import { useMemo, useSyncExternalStore } from 'react';
import type { TokenStatus } from '../token/types.js';
import { subscribeTo, type TokenStateSource } from './source.js';

/**
 * What the server renders and hydration starts from: the status of a manager that has not
 * loaded its tokens yet. The same on server and client, so the HTML matches the first client
 * render; the manager's real status follows right after hydration.
 */
const serverStatus = (): TokenStatus => 'unauthenticated';

/**
 * The manager's status, re-rendering the component when it changes: `'refreshing'` while a
 * refresh runs (show a spinner), `'unauthenticated'` without tokens (also before the manager
 * has loaded them from storage, and during server rendering and hydration).
 */
export function useTokenStatus(manager: TokenStateSource): TokenStatus {
  const subscribe = useMemo(() => subscribeTo(manager), [manager]);
  return useSyncExternalStore(subscribe, () => manager.status, serverStatus);
}
