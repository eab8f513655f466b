export {
  type AuthFetchManager,
  type AuthFetchOptions,
  createAuthFetch,
} from './fetch/create-auth-fetch.js';
export { AuthErrorLink } from './links/auth-error-link.js';
export { AuthLink } from './links/auth-link.js';
export type { TokenRefreshContext } from './links/context.js';
export { createTokenRefreshLink } from './links/create-token-refresh-link.js';
export { isUnauthenticated } from './links/is-auth-error.js';
export { ProactiveRefreshLink } from './links/proactive-refresh-link.js';
export {
  RefreshFailedError,
  SessionExpiredError,
  TokenRefreshError,
  type TokenRefreshErrorCode,
} from './shared/errors.js';
export type { HeaderOptions } from './shared/header.js';
export { TokenManager } from './token/manager.js';
export { memoryStorage, webStorage } from './token/storage.js';
export type {
  RefreshContext,
  RefreshFunction,
  RetryOptions,
  TokenManagerEvents,
  TokenManagerOptions,
  TokenSet,
  TokenStatus,
  TokenStorage,
} from './token/types.js';
