export {
  AuthCloseCode,
  type AuthWsClient,
  type AuthWsClientOptions,
  type AuthWsManager,
  type CloseLike,
  createAuthWsClient,
} from './links/ws/index.js';
