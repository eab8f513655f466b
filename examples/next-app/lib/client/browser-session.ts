import { TokenManager } from 'apollo-token-refresh';
import { createAuthWsClient } from 'apollo-token-refresh/ws';
import type { ClientConfig } from '../server/config';
import { createActivityLog } from './activity-log';
import { refreshWithCookie } from './auth-api';

export interface BrowserSession {
  manager: TokenManager;
  /** The graphql-ws client (its `connected` events feed the dashboard's event log). */
  ws: ReturnType<typeof createAuthWsClient>;
  /** What happened to the session in this tab (the dashboard's event log). */
  activity: ReturnType<typeof createActivityLog>;
}

let tab: BrowserSession | undefined;

/**
 * This tab's session: one TokenManager and one socket client, made on first use in the browser
 * only (the server makes one per request, see server-token-manager.ts).
 *
 * - Tokens live in the manager's memory only (the default `memoryStorage`): not in
 *   localStorage, not in the page. A page load restores them with one refresh
 *   (`restoreSession`): the httpOnly refresh cookie is the only thing that survives a reload.
 * - `crossTab`: one refresh at a time across this browser's tabs, and they share its result
 *   (same-origin BroadcastChannel), so single-use refresh tokens never race.
 * - `scheduleRefresh`: refreshes ahead of expiry in the background, and at once when the tab
 *   becomes visible again or the network comes back with an expiring token.
 */
export function browserSession(config: ClientConfig, signedIn: boolean): BrowserSession {
  if (typeof window === 'undefined') throw new Error('browserSession() is for the browser only');
  if (tab) return tab;
  const manager = new TokenManager({
    refresh: refreshWithCookie,
    refreshBeforeExpiryMs: config.refreshBeforeExpiryMs,
    scheduleRefresh: true,
    crossTab: true,
    restoreSession: true,
  });
  const ws = createAuthWsClient(manager, { url: config.wsUrl });
  tab = { manager, ws, activity: createActivityLog(manager, ws) };
  // Signed in according to the server: restore now (one refresh), before the first operation
  // asks, so the page shows the live state at once.
  if (signedIn) manager.getAccessToken().catch(() => {});
  return tab;
}
