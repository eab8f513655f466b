import type { TokenStatus } from '../token/types.js';

/**
 * What the hooks read of a `TokenManager`. Structural, so the real class (whose `#private`
 * fields another entry's copy of its declaration would not match), a manager from another copy
 * of the package, or a test double all fit.
 */
export interface TokenStateSource {
  /** `authenticated`, `refreshing` or `unauthenticated`. */
  readonly status: TokenStatus;
  /** When the current access token expires (epoch ms); `null` without one. */
  readonly expiresAt: number | null;
  /** Subscribes to an event; returns the unsubscribe function. */
  on(event: 'tokens' | 'status' | 'logout', listener: () => void): () => void;
}

// Every event after which `status` or `expiresAt` may read differently.
const CHANGES = ['tokens', 'status', 'logout'] as const;

/** `subscribe` for `useSyncExternalStore`: one listener per event, all removed together. */
export const subscribeTo = (manager: TokenStateSource) => (onChange: () => void) => {
  const unsubscribes = CHANGES.map((event) => manager.on(event, () => onChange()));
  return () => {
    for (const unsubscribe of unsubscribes) unsubscribe();
  };
};
