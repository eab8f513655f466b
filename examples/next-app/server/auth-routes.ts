import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Auth, Issued } from './auth';
import {
  ACCESS_COOKIE,
  clearedCookies,
  REFRESH_COOKIE,
  readCookie,
  sessionCookies,
} from './cookies';
import { readJson, send } from './http';
import { refuse } from './request-guard';

const DEMO_PASSWORD = 'demo';
const USER_NAME = /^\w{1,32}$/;

/** The body of a token answer: the access token only (the refresh token is in its cookie). */
const tokenBody = (t: Issued) => ({
  accessToken: t.accessToken,
  expiresAt: t.expiresAt,
  user: t.user,
});

/**
 * `/api/auth/login`, `/api/auth/refresh`, `/api/auth/logout`. Every request first passes
 * `refuse` (POST, our Origin, JSON). A request that carried no session cookie never gets one
 * cleared: a forged or stray call cannot sign anybody out.
 */
export function createAuthRoutes(
  auth: Auth,
  options: { webOrigin: string; secureCookies: boolean },
) {
  const { webOrigin, secureCookies } = options;
  const cookiesFor = (t: Issued) => sessionCookies(t, Date.now(), secureCookies);
  const carriedSession = (req: IncomingMessage) =>
    readCookie(req, REFRESH_COOKIE) !== undefined || readCookie(req, ACCESS_COOKIE) !== undefined;

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
    async login(req, res) {
      const { username, password } = await readJson(req);
      if (typeof username !== 'string' || !USER_NAME.test(username) || password !== DEMO_PASSWORD)
        return send(res, 401, { error: 'invalid_credentials' });
      const issued = await auth.login(username, readCookie(req, REFRESH_COOKIE));
      send(res, 200, tokenBody(issued), cookiesFor(issued));
    },
    async refresh(req, res) {
      const refreshToken = readCookie(req, REFRESH_COOKIE);
      const issued = await auth.refresh(refreshToken);
      if (issued) return send(res, 200, tokenBody(issued), cookiesFor(issued));
      // Rejected: clear what the browser holds, if it sent anything at all.
      send(
        res,
        401,
        { error: 'invalid_grant' },
        carriedSession(req) ? clearedCookies(secureCookies) : undefined,
      );
    },
    async logout(req, res) {
      auth.logout(readCookie(req, REFRESH_COOKIE));
      send(res, 204, undefined, carriedSession(req) ? clearedCookies(secureCookies) : undefined);
    },
  };

  /** Handles `/api/auth/<name>`; `false` for any other path. */
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    const name = path.startsWith('/api/auth/') ? path.slice('/api/auth/'.length) : undefined;
    const route = name && Object.hasOwn(routes, name) ? routes[name] : undefined;
    if (!route) return false;
    const refusal = refuse(req, webOrigin);
    if (refusal) {
      auth.counters.refusedAuthRequests++;
      send(res, refusal.status, { error: refusal.error });
      return true;
    }
    await route(req, res);
    return true;
  };
}
