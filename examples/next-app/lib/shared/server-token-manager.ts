import {
  memoryStorage,
  SessionExpiredError,
  TokenManager,
  type TokenStorage,
} from 'apollo-token-refresh';
import { SERVER_TOKEN_MARGIN_MS } from './session';

/**
 * A TokenManager for one server-side request (server components, or server rendering of client
 * components): it holds that request's access token and never refreshes. A refresh rotates the
 * refresh cookie, which a streamed page can no longer set; the browser refreshes instead. So an
 * expiring token ends the session for this request only: operations fail with
 * `SessionExpiredError` and nothing is sent with a token about to lapse.
 *
 * `token` may be a promise (server rendering decrypts it first, see ssr-secret.ts).
 */
export function serverTokenManager(token: string | null | Promise<string | null>): TokenManager {
  const storage: TokenStorage =
    typeof token === 'string' || token === null
      ? memoryStorage(token ? { accessToken: token } : undefined)
      : {
          load: async () => {
            const value = await token;
            return value ? { accessToken: value } : null;
          },
          save: () => {},
          clear: () => {},
        };
  return new TokenManager({
    storage,
    refresh: () => Promise.reject(new SessionExpiredError('The server does not refresh')),
    refreshBeforeExpiryMs: SERVER_TOKEN_MARGIN_MS,
  });
}
