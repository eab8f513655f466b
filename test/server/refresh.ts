import type { RefreshFunction, TokenSet } from '../../src/token/types.js';

/** A non-2xx answer of the refresh endpoint; `status` drives the manager's `isSessionEnded`. */
export class RefreshHttpError extends Error {
  override name = 'RefreshHttpError';
  constructor(readonly status: number) {
    super(`Refresh endpoint answered HTTP ${status}`);
  }
}

/**
 * A `RefreshFunction` for the test server's `POST /refresh`. Network errors, aborts and a body
 * that is not JSON reject as they come (transient); the parsed body is returned unchecked so the
 * manager's own `TokenSet` validation is what gets tested.
 */
export function httpRefresh(
  refreshUrl: string,
  init: { fetch?: typeof fetch } = {},
): RefreshFunction {
  const f = init.fetch ?? fetch;
  return async ({ refreshToken, signal }) => {
    const res = await f(refreshUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
      signal,
    });
    if (!res.ok) {
      await res.body?.cancel();
      throw new RefreshHttpError(res.status);
    }
    return (await res.json()) as TokenSet;
  };
}
