/**
 * The app's own token store, for the clients whose docs leave it to the app (naive, one-future,
 * legacy, urql): two fields, an expiry check and the refresh call blog posts write.
 */
import { decodeJwt } from 'jose';
import type { AppTokens, ClientEnv } from './types.js';

/** A refused refresh, coded alike for every hand-written client (`REFRESH_HTTP_401`). */
export function refreshRefused(status: number): Error {
  return Object.assign(new Error(`refresh answered HTTP ${status}`), {
    code: `REFRESH_HTTP_${status}`,
  });
}

export class AppSession {
  accessToken: string | null = null;
  refreshToken: string | null = null;
  /** How many times the app logged out. */
  logouts = 0;
  readonly #env: ClientEnv;
  /** The access token's `exp` in ms, read once per token as apps do with `jwt-decode`. */
  #expiresAt = 0;

  constructor(env: ClientEnv) {
    this.#env = env;
    this.set(env.tokens);
  }

  /** True once the access token's `exp` has passed on the clock shared with the server. */
  expired(): boolean {
    return this.accessToken !== null && this.#env.now() >= this.#expiresAt;
  }

  set(tokens: AppTokens): void {
    this.accessToken = tokens.accessToken;
    this.refreshToken = tokens.refreshToken;
    const { exp } = decodeJwt(tokens.accessToken);
    this.#expiresAt = exp === undefined ? Number.POSITIVE_INFINITY : exp * 1000;
  }

  logout(): void {
    this.accessToken = null;
    this.refreshToken = null;
    this.logouts++;
  }

  /** POSTs the refresh token and keeps the answer; a refused refresh logs out and rejects. */
  async refresh(): Promise<void> {
    const response = await this.#env.fetch(this.#env.refreshUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: this.refreshToken }),
    });
    if (!response.ok) {
      await response.body?.cancel();
      this.logout();
      throw refreshRefused(response.status);
    }
    this.set((await response.json()) as AppTokens);
  }
}
