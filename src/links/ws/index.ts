export {
  type AuthWsClient,
  type AuthWsClientOptions,
  type AuthWsManager,
  createAuthWsClient,
} from './client.js';
export { AuthCloseCode, type CloseLike } from './close-codes.js';
