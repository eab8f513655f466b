export type { TokenStateSource } from './source.js';
export { useTokenExpiry } from './use-token-expiry.js';
export { useTokenStatus } from './use-token-status.js';
