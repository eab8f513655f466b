import { createServer, type IncomingMessage } from 'node:http';
import { type GraphQLHttpServer, listen, shut } from '../support/http-server.js';
import { bearerToken, type SigningKey, verifiedSubject } from './signing.js';
import type { World } from './world.js';

/** Request headers the gateway passes upstream (hop-by-hop ones stay behind). */
const FORWARDED = ['authorization', 'content-type', 'accept', 'apollo-require-preflight'];

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * An API gateway in front of `upstream`, as AWS API Gateway, Kong or an nginx `auth_request`
 * put them: it checks the JWT itself and answers a missing, expired or invalid one with HTTP 401
 * `{"message":"Unauthorized"}` (plain JSON, no GraphQL shape); valid requests go upstream.
 */
export async function startGateway(
  world: World,
  key: SigningKey,
  upstream: string,
): Promise<GraphQLHttpServer> {
  const tokens: (string | null)[] = [];
  const http = createServer(async (req, res) => {
    const token = bearerToken(req.headers.authorization);
    tokens.push(token);
    const payload = await body(req);
    if (!(await verifiedSubject(token, key, world))) {
      const text = JSON.stringify({ message: 'Unauthorized' });
      res.writeHead(401, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of FORWARDED) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    try {
      const answer = await fetch(upstream, {
        method: req.method ?? 'POST',
        headers,
        ...(payload.length > 0 && { body: new Uint8Array(payload) }),
      });
      const text = Buffer.from(await answer.arrayBuffer());
      res.writeHead(answer.status, {
        'content-type': answer.headers.get('content-type') ?? 'application/json',
        'content-length': text.length,
      });
      res.end(text);
    } catch {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Bad Gateway' }));
    }
  });
  const port = await listen(http);
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    tokens,
    close: () => shut(http),
  };
}
