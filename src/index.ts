export {
  InvalidOptionError,
  InvalidTokenSetError,
  RefreshFailedError,
  SessionExpiredError,
  StorageError,
  TokenRefreshError,
  type TokenRefreshErrorCode,
} from './token/errors.js';
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
