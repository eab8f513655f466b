import { check, checkFunction, isFunction } from '../shared/check.js';
import { SessionExpiredError } from '../shared/errors.js';
import type { AttemptPolicy } from './refresh-attempts.js';
import { memoryStorage } from './storage.js';
import type { TokenManagerOptions, TokenStorage } from './types.js';

/** HTTP statuses of a refresh endpoint that mean "this refresh token is no good". */
const SESSION_ENDED_STATUSES = [400, 401, 403];

/** The default `isSessionEnded`. */
export function isSessionEndedByDefault(error: unknown): boolean {
  const { status, statusCode } = (error ?? {}) as { status?: unknown; statusCode?: unknown };
  const httpStatus = status ?? statusCode;
  return (
    SessionExpiredError.is(error) ||
    (typeof httpStatus === 'number' && SESSION_ENDED_STATUSES.includes(httpStatus))
  );
}

const defaultDelayMs = (attempt: number) => Math.min(250 * 2 ** (attempt - 1), 5_000);

/** `TokenManagerOptions` with every default applied and every value checked. */
export interface ResolvedOptions extends AttemptPolicy {
  storage: TokenStorage;
  refreshBeforeExpiryMs: number;
  scheduleRefresh: boolean;
  /** The cross-tab channel and lock name; `undefined`: single tab. */
  crossTabName: string | undefined;
  restoreSession: boolean;
  now: () => number;
}

/**
 * Applies the defaults and validates every option up front.
 * @throws {TokenRefreshError} `INVALID_OPTION`, naming the option and the bad value.
 */
export function resolveOptions(options: TokenManagerOptions): ResolvedOptions {
  const {
    refresh,
    storage = memoryStorage(),
    refreshBeforeExpiryMs = 30_000,
    refreshTimeoutMs = 10_000,
    retry = {},
    isSessionEnded = isSessionEndedByDefault,
    scheduleRefresh = false,
    crossTab = false,
    restoreSession = false,
    now = () => Date.now(),
  } = options ?? ({} as TokenManagerOptions);
  checkFunction(refresh, 'refresh');
  check(
    isFunction(storage?.load) && isFunction(storage.save) && isFunction(storage.clear),
    'storage',
    'a TokenStorage',
    storage,
  );
  check(
    Number.isFinite(refreshBeforeExpiryMs) && refreshBeforeExpiryMs >= 0,
    'refreshBeforeExpiryMs',
    'a number >= 0',
    refreshBeforeExpiryMs,
  );
  check(
    Number.isFinite(refreshTimeoutMs) && refreshTimeoutMs > 0,
    'refreshTimeoutMs',
    'a number > 0',
    refreshTimeoutMs,
  );
  check(retry && typeof retry === 'object', 'retry', 'an object', retry);
  const { attempts = 2, delayMs = defaultDelayMs } = retry;
  check(Number.isInteger(attempts) && attempts > 0, 'retry.attempts', 'an integer > 0', attempts);
  checkFunction(delayMs, 'retry.delayMs');
  checkFunction(isSessionEnded, 'isSessionEnded');
  check(typeof scheduleRefresh === 'boolean', 'scheduleRefresh', 'a boolean', scheduleRefresh);
  check(
    typeof crossTab === 'boolean' || (typeof crossTab?.name === 'string' && crossTab.name !== ''),
    'crossTab',
    'a boolean or { name }',
    crossTab,
  );
  check(typeof restoreSession === 'boolean', 'restoreSession', 'a boolean', restoreSession);
  checkFunction(now, 'now');
  return {
    refresh,
    storage,
    refreshBeforeExpiryMs,
    timeoutMs: refreshTimeoutMs,
    attempts,
    delayMs,
    isSessionEnded,
    scheduleRefresh,
    crossTabName:
      crossTab === true ? 'apollo-token-refresh' : crossTab === false ? undefined : crossTab.name,
    restoreSession,
    now,
  };
}
