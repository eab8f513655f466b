/**
 * Warnings a test causes on purpose are caught and checked, never printed: a green run prints
 * no warning, so a warning in the output is news.
 */
import { format } from 'node:util';
import { onTestFinished, vi } from 'vitest';

/** What a `TokenManager` prints once when it gets tokens of two users on a server. */
export const SHARED_MANAGER_WARNING =
  'apollo-token-refresh: a TokenManager got tokens of two users on a server; create one per request (docs/security.md)';

/**
 * Records every `console.warn` of the running test instead of printing it; `messages` are the
 * calls as `console` would print them. Restored when the test finishes.
 */
export function catchWarnings(): { readonly messages: string[] } {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  onTestFinished(() => warn.mockRestore());
  return {
    get messages() {
      return warn.mock.calls.map((args) => format(...args));
    },
  };
}
