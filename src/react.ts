export type { TokenStateSource } from './react/source.js';
export { useTokenExpiry } from './react/use-token-expiry.js';
export { useTokenStatus } from './react/use-token-status.js';
