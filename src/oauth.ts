export { OAuthError } from './oauth/oauth-error.js';
export { oauth2Refresh } from './oauth/oauth2-refresh.js';
export type { ClientAuthentication, OAuth2RefreshOptions } from './oauth/options.js';
