import type { IncomingMessage } from 'node:http';

/** Why `/api/auth/*` refuses a request before reading it; `null` when it may proceed. */
export type Refusal =
  | { status: 405; error: 'method_not_allowed' }
  | { status: 403; error: 'cross_site' }
  | { status: 415; error: 'json_only' };

/**
 * The checks every `/api/auth/*` request passes before its body is read or a cookie is touched:
 *
 * - `POST` only.
 * - `Origin` is exactly ours. Browsers send it with every POST; another port of the same host
 *   is another origin (but the same *site*, so `SameSite=Strict` alone would not stop it).
 *   A request without `Origin` comes from no browser page and is refused too: nothing here
 *   needs to be called from outside the app.
 * - `Sec-Fetch-Site`, when the browser sends it, says `same-origin`.
 * - `content-type: application/json`. An HTML form cannot send that without CORS, so a
 *   cross-site `<form enctype="text/plain">` cannot forge a login.
 */
export function refuse(req: IncomingMessage, origin: string): Refusal | null {
  if (req.method !== 'POST') return { status: 405, error: 'method_not_allowed' };
  if (req.headers.origin !== origin) return { status: 403, error: 'cross_site' };
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return { status: 403, error: 'cross_site' };
  const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return { status: 415, error: 'json_only' };
  return null;
}
