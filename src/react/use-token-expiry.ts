import { useMemo, useSyncExternalStore } from 'react';
import { subscribeTo, type TokenStateSource } from './source.js';

/** As for `useTokenStatus`: what a manager without tokens reports, on server and client alike. */
const serverExpiry = (): number | null => null;

/**
 * `manager.expiresAt`: when the current access token expires (epoch ms, this device's clock),
 * re-rendering the component on every new token, logout and status change; `null` without a
 * token (and during server rendering and hydration).
 */
export function useTokenExpiry(manager: TokenStateSource): number | null {
  const subscribe = useMemo(() => subscribeTo(manager), [manager]);
  return useSyncExternalStore(subscribe, () => manager.expiresAt, serverExpiry);
}
