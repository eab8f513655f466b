export {
  type AuthWsClient,
  type AuthWsClientOptions,
  type AuthWsManager,
  createAuthWsClient,
} from './ws/client.js';
export { AuthCloseCode, type CloseLike } from './ws/close-codes.js';
