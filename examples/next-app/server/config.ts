/**
 * The API server's settings, read once from the environment. Every default is what
 * `npm run example` uses; `scripts/example.mjs` passes the same values to Next.js.
 */
const env = process.env;

const number = (name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new TypeError(`${name} must be a number >= 0, got ${JSON.stringify(raw)}`);
  return value;
};

export const config = {
  port: number('API_PORT', 4000),
  host: env.API_HOST ?? '127.0.0.1',
  /** The one origin the browser uses (Next.js). `/api/auth/*` refuses requests from any other. */
  webOrigin: env.WEB_ORIGIN ?? 'http://127.0.0.1:3000',
  accessTtlMs: number('ACCESS_TTL_MS', 20_000),
  /** A session ends this long after sign-in; refreshes do not extend it. */
  sessionTtlMs: number('SESSION_TTL_MS', 86_400_000),
  reuseGraceMs: number('REFRESH_REUSE_GRACE_MS', 5_000),
  /** Only with https in front: browsers drop `Secure` cookies on plain http. */
  secureCookies: env.COOKIE_SECURE === '1',
  /** `/__test/*`: counters, reset, revoke. Development and tests only. */
  testEndpoints: env.TEST_ENDPOINTS === '1',
  /** Auth outcomes on stdout (never a token). */
  logAuth: env.LOG_AUTH === '1',
  /** Random per start unless set, so restarting signs everybody out. */
  jwtSecret: env.JWT_SECRET,
};
