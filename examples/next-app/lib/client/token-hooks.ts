'use client';

// Interim copy of `apollo-token-refresh/react` (SPEC "React"): replaced by the package's entry
// once it is on main.
import type { TokenManager } from 'apollo-token-refresh';
import { useSyncExternalStore } from 'react';

type ManagerView = Pick<TokenManager, 'status' | 'expiresAt' | 'on'>;

export function useTokenStatus(manager: ManagerView): TokenManager['status'] {
  return useSyncExternalStore(
    (onChange) => manager.on('status', onChange),
    () => manager.status,
    () => manager.status,
  );
}

export function useTokenExpiry(manager: ManagerView): number | null {
  return useSyncExternalStore(
    (onChange) => {
      const off = [
        manager.on('tokens', onChange),
        manager.on('status', onChange),
        manager.on('logout', onChange),
      ];
      return () => {
        for (const unsubscribe of off) unsubscribe();
      };
    },
    () => manager.expiresAt,
    () => manager.expiresAt,
  );
}
