/** Host names of this machine: a token may travel to them over plain http (tests, development). */
const LOOPBACK_NAMES = ['localhost', '[::1]'];
const IPV4_LOOPBACK = /^127(?:\.\d{1,3}){3}$/;

/** `value` as an absolute http or https URL (a copy), or `undefined`. */
export function parseHttpUrl(value: unknown): URL | undefined {
  let url: URL;
  try {
    if (value instanceof URL) url = new URL(value.href);
    else if (typeof value === 'string') url = new URL(value);
    else return undefined;
  } catch {
    return undefined;
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
}

/**
 * Whether a refresh token or a discovery answer may travel to `url`: https anywhere, plain http
 * only to this machine.
 */
export function isHttpsOrLoopback(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  return (
    url.protocol === 'http:' &&
    (LOOPBACK_NAMES.includes(url.hostname) || IPV4_LOOPBACK.test(url.hostname))
  );
}

/** The URL as a string without trailing slashes: how issuers are compared and extended. */
export const withoutTrailingSlash = (url: string): string => url.replace(/\/+$/, '');
