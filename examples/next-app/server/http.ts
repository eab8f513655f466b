import type { IncomingMessage, ServerResponse } from 'node:http';

/** Answers JSON (or nothing), never cached; `cookies` become `Set-Cookie` headers. */
export function send(
  res: ServerResponse,
  status: number,
  body?: unknown,
  cookies?: readonly string[],
): void {
  if (cookies?.length) res.setHeader('set-cookie', [...cookies]);
  res.setHeader('cache-control', 'no-store');
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const MAX_BODY_BYTES = 100_000;

export class BadRequest extends Error {}

/** The request's JSON object body (`{}` when empty). Throws `BadRequest` otherwise. */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let raw = '';
  for await (const chunk of req) {
    raw += chunk;
    if (raw.length > MAX_BODY_BYTES) throw new BadRequest('body too large');
  }
  let value: unknown;
  try {
    value = raw ? JSON.parse(raw) : {};
  } catch {
    throw new BadRequest('not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BadRequest('not a JSON object');
  return value as Record<string, unknown>;
}

export const bearer = (header: unknown): string | undefined =>
  typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
