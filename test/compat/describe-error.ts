/** `Name[CODE]` of an error and of its causes: what went wrong, with no message (no token). */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e !== null && typeof e === 'object'; depth++) {
    const { name, code, status, statusCode, errors } = e as {
      name?: unknown;
      code?: unknown;
      status?: unknown;
      statusCode?: unknown;
      errors?: { extensions?: { code?: unknown } }[];
    };
    const label =
      typeof name === 'string'
        ? name
        : ((e as { constructor?: { name?: string } }).constructor?.name ?? 'object');
    // A GraphQL error's code is what tells "UNAUTHENTICATED" from yoga's code-less 401.
    const graphQLCode = Array.isArray(errors)
      ? (errors[0]?.extensions?.code ?? 'no code')
      : undefined;
    const detail = code ?? statusCode ?? status ?? graphQLCode;
    parts.push(detail === undefined ? label : `${label}[${String(detail)}]`);
    e = (e as { cause?: unknown }).cause;
  }
  return parts.join(' ← ') || String(typeof error);
}
