/**
 * A GraphQL resource server (node:http + graphql-js) that accepts the provider's JWT access
 * tokens and nothing else: each request's bearer token is verified with jose against the
 * provider's JWKS (fetched over HTTP), its issuer, its audience (this server's resource
 * indicator) and its expiry on `Date.now()` (the tests' fake clock). A missing, invalid or
 * expired token gets HTTP 401 with `WWW-Authenticate: Bearer` (RFC 6750 §3).
 *
 * Requests can be held: they queue unanswered (and unverified) until released, then are
 * verified and answered one at a time, a set spacing apart, as a slow server would.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { buildSchema, graphql } from 'graphql';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { listen, shut } from '../http-server.js';

const schema = buildSchema(`
  type Query {
    echo(n: Int!): Int!
  }
`);
const root = { echo: ({ n }: { n: number }) => n };

/** One request as the server saw it. */
export interface ResourceRequest {
  /** The bearer token sent; `null` without an `authorization` header. */
  token: string | null;
  /** HTTP status answered. */
  status: number;
}

export interface ResourceServer {
  /** The GraphQL endpoint, also the resource indicator and audience of the access tokens. */
  readonly url: string;
  /** Every answered request, in order. */
  readonly requests: readonly ResourceRequest[];
  /** Requests are queued unanswered from now on, until `releaseHeld`. */
  hold(): void;
  /** Resolves once `count` requests are waiting (now or later). */
  whenHeld(count: number): Promise<void>;
  /**
   * Answers the held requests in arrival order (verifying each token when it is answered), the
   * first at once and each later one once `beforeNext()` resolves, then stops holding. Resolves
   * once all are answered.
   */
  releaseHeld(beforeNext: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** The resource server's HTTP server, listening before the provider exists: its URL is needed first. */
export interface ListeningResourceServer {
  readonly url: string;
  /** Starts answering, trusting tokens from `issuer`. */
  serve(issuer: string): ResourceServer;
  close(): Promise<void>;
}

export async function listenResourceServer(): Promise<ListeningResourceServer> {
  let handle: (request: IncomingMessage, response: ServerResponse) => void = (_, response) => {
    response.writeHead(503).end();
  };
  const http = createServer((request, response) => handle(request, response));
  const port = await listen(http);
  const url = `http://127.0.0.1:${port}/graphql`;
  const close = () => shut(http);
  return {
    url,
    close,
    serve(issuer) {
      const server = resourceServer(url, issuer, close);
      handle = server.handle;
      return server;
    },
  };
}

function resourceServer(
  url: string,
  issuer: string,
  close: () => Promise<void>,
): ResourceServer & { handle: (request: IncomingMessage, response: ServerResponse) => void } {
  const keys = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  const requests: ResourceRequest[] = [];
  let holding = false;
  const held: (() => Promise<void>)[] = [];
  const heldWaiters: { count: number; resolve: () => void }[] = [];

  const answer = async (request: IncomingMessage, response: ServerResponse, body: string) => {
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : null;
    const authenticated =
      token !== null &&
      (await jwtVerify(token, keys, { issuer, audience: url, typ: 'at+jwt' }).then(
        () => true,
        () => false,
      ));
    const status = authenticated ? 200 : 401;
    requests.push({ token: header === undefined ? null : token, status });
    if (!authenticated) {
      send(
        response,
        401,
        { errors: [{ message: 'Unauthenticated' }] },
        {
          'www-authenticate': `Bearer error="invalid_token"`,
        },
      );
      return;
    }
    const { query, variables } = JSON.parse(body) as {
      query: string;
      variables?: Record<string, unknown>;
    };
    send(
      response,
      200,
      await graphql({ schema, source: query, rootValue: root, variableValues: variables ?? null }),
    );
  };

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    readBody(request).then((body) => {
      const run = () => answer(request, response, body);
      if (!holding) return run();
      held.push(run);
      for (const waiter of heldWaiters.filter(({ count }) => held.length >= count)) {
        heldWaiters.splice(heldWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
  };

  return {
    url,
    requests,
    handle,
    hold() {
      holding = true;
    },
    whenHeld(count) {
      if (held.length >= count) return Promise.resolve();
      return new Promise((resolve) => heldWaiters.push({ count, resolve }));
    },
    async releaseHeld(beforeNext) {
      holding = false;
      for (let index = 0; held.length > 0; index++) {
        if (index > 0) await beforeNext();
        await held.shift()?.();
      }
    },
    close,
  };
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
