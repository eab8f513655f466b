/** Anything shaped like a JWT (header.payload.signature, base64url), wherever it appears. */
const JWT = /eyJ[\w-]*\.[\w-]+\.[\w-]*/g;
const LONGEST = 200;

/**
 * A one-line summary of `cause` for the message of an error that wraps it (`TypeError: Failed to
 * parse URL from /auth/refresh`), so that what a developer sees first says why, without opening
 * `cause`. Each of `secrets` (the session's tokens) and anything shaped like a JWT is replaced by
 * `[redacted]`: a message never carries a token. `undefined` when the cause has no message.
 */
export function summarizeCause(
  cause: unknown,
  secrets: readonly (string | undefined)[] = [],
): string | undefined {
  const { name, message } = (
    typeof cause === 'object' && cause !== null ? cause : { message: cause }
  ) as { name?: unknown; message?: unknown };
  if (typeof message !== 'string' || message === '') return undefined;
  let summary = typeof name === 'string' && name !== '' ? `${name}: ${message}` : message;
  for (const secret of secrets) {
    if (secret) summary = summary.split(secret).join('[redacted]');
  }
  summary = summary.replace(JWT, '[redacted]').replace(/\s+/g, ' ');
  return summary.length > LONGEST ? `${summary.slice(0, LONGEST - 1)}…` : summary;
}

/** `message`, followed by the summary of `cause` in parentheses when it has one. */
export const withCause = (
  message: string,
  cause: unknown,
  secrets?: readonly (string | undefined)[],
): string => {
  const summary = summarizeCause(cause, secrets);
  return summary ? `${message} (${summary})` : message;
};
