import type { IncomingMessage, ServerResponse } from 'node:http';
import { cookie, readJson, send } from './http.js';
import type { State } from './state.js';

/** Cookie flow: `/login` and `/refresh` also set it; `/refresh` reads it when the body has none. */
export const REFRESH_COOKIE = 'refresh_token';
export const setCookie = (t: string) => ({
  'set-cookie': `${REFRESH_COOKIE}=${t}; HttpOnly; Path=/refresh; SameSite=Lax`,
});

/** `POST /refresh`: body `{ refreshToken }` or the cookie; honours `knobs.refresh`. */
export async function refreshRoute(st: State, req: IncomingMessage, res: ServerResponse) {
  const { counters, knobs, sessions, jwt, ttl } = st;
  counters.refreshes++;
  counters.refreshesInFlight++;
  counters.maxConcurrentRefreshes = Math.max(
    counters.maxConcurrentRefreshes,
    counters.refreshesInFlight,
  );
  let open = true;
  res.once('close', () => {
    if (open) counters.refreshesInFlight = Math.max(0, counters.refreshesInFlight - 1);
    open = false;
  });
  const body = await readJson(req);
  const rt =
    typeof body?.refreshToken === 'string' ? body.refreshToken : cookie(req, REFRESH_COOKIE);
  counters.refreshTokensSeen.push(rt);
  await st.wait(knobs.refreshLatencyMs);
  const mode = knobs.refresh;
  if (mode === '503-once') knobs.refresh = 'ok';
  // Faulty answers leave the presented refresh token untouched, so it still works afterwards.
  const user = (rt && sessions.userOf(rt)) ?? 'alice';
  const faulty = async (accessToken: Promise<string> | undefined) =>
    send(res, 200, {
      ...(accessToken && { accessToken: await accessToken }),
      ...(rt && { refreshToken: rt }),
    });
  const denied = () => send(res, 401, { error: 'invalid_grant' });
  switch (mode) {
    case 'hang':
      return;
    case 'drop':
      req.socket.destroy();
      return;
    case '401':
      return denied();
    case '500':
      return send(res, 500, { error: 'server_error' });
    case '503-once':
      return send(res, 503, { error: 'temporarily_unavailable' });
    case 'malformed':
      return send(res, 200, '{"accessToken": "', 'application/json');
    case 'missing-access-token':
      return faulty(undefined);
    case 'expired-access-token':
      return faulty(jwt.sign(user, -60_000));
    case 'bad-signature':
      return faulty(jwt.sign(user, ttl, true));
    case 'no-exp':
      return faulty(jwt.sign(user, null));
  }
  if (!rt) return denied();
  const r = sessions.redeem(rt, st.rotate);
  if (r === 'reuse') counters.reuseDetections++;
  if (r === null || r === 'reuse') return denied();
  const accessToken = await jwt.sign(r.user, ttl);
  send(
    res,
    200,
    { accessToken, refreshToken: r.refreshToken },
    undefined,
    setCookie(r.refreshToken),
  );
}
