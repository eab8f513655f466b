/**
 * Koa middleware in front of oidc-provider's token endpoint: records every call (grant type,
 * status, OAuth error, how the client authenticated, the form fields the tests ask about), and
 * answers the next calls with a fault instead of the provider when a test asks for one. A
 * faulted call never reaches the provider, as with a gateway in front of it: the refresh token
 * it carried stays unused.
 */
import type { IncomingMessage } from 'node:http';
import type Provider from 'oidc-provider';

/** What a faulted call gets instead of the provider's answer. */
export type TokenEndpointFault =
  /** HTTP 503 with an HTML body, as a gateway would. */
  | 'unavailable'
  /** HTTP 400 `{"error":"temporarily_unavailable"}`. */
  | 'temporarily_unavailable'
  /** HTTP 200 with a body that is not JSON. */
  | 'malformed'
  /** HTTP 200 with JSON that has no `access_token`. */
  | 'no_access_token'
  /** The connection is closed before any answer. */
  | 'drop';

export interface TokenEndpointCall {
  grantType: string | undefined;
  /** HTTP status answered; `0` for a dropped connection. */
  status: number;
  /** The OAuth `error` code answered, if any. */
  error: string | undefined;
  /** The fault answered instead of the provider, if any. */
  fault: TokenEndpointFault | undefined;
  /** How the client sent its secret. */
  clientAuthentication: 'basic' | 'post' | 'none';
  /** Whether the form had a `refresh_token`. */
  sentRefreshToken: boolean;
  /** The `scope` and `resource` form fields, when sent. */
  scope: string | undefined;
  resource: string | undefined;
}

type Middleware = Parameters<Provider['use']>[0];

export interface TokenEndpointWatch {
  readonly calls: readonly TokenEndpointCall[];
  /** Answers the next `count` token endpoint calls with `fault`. */
  failNext(count: number, fault: TokenEndpointFault): void;
  readonly middleware: Middleware;
}

const FAULT_ANSWERS: Record<
  Exclude<TokenEndpointFault, 'drop'>,
  { status: number; type: string; body: string }
> = {
  unavailable: {
    status: 503,
    type: 'text/html',
    body: '<html><body>503 Service Unavailable</body></html>',
  },
  temporarily_unavailable: {
    status: 400,
    type: 'application/json',
    body: JSON.stringify({ error: 'temporarily_unavailable', error_description: 'try later' }),
  },
  malformed: { status: 200, type: 'application/json', body: '{"access_token": "abc' },
  no_access_token: {
    status: 200,
    type: 'application/json',
    body: JSON.stringify({ token_type: 'Bearer', expires_in: 60 }),
  },
};

export function watchTokenEndpoint(tokenPath: string): TokenEndpointWatch {
  const calls: TokenEndpointCall[] = [];
  const faults: TokenEndpointFault[] = [];

  const middleware: Middleware = async (ctx, next) => {
    if (ctx.method !== 'POST' || ctx.path !== tokenPath) return next();
    const clientAuthentication = ctx.get('authorization').startsWith('Basic ') ? 'basic' : 'none';
    const fault = faults.shift();
    if (fault) {
      // The provider never sees this request, so its body is ours to read.
      const form = new URLSearchParams(await readBody(ctx.req));
      calls.push({
        grantType: form.get('grant_type') ?? undefined,
        status: fault === 'drop' ? 0 : FAULT_ANSWERS[fault].status,
        error: fault === 'temporarily_unavailable' ? fault : undefined,
        fault,
        clientAuthentication: form.has('client_secret') ? 'post' : clientAuthentication,
        sentRefreshToken: form.has('refresh_token'),
        scope: form.get('scope') ?? undefined,
        resource: form.get('resource') ?? undefined,
      });
      if (fault === 'drop') {
        ctx.respond = false;
        ctx.req.socket.destroy();
        return;
      }
      const { status, type, body } = FAULT_ANSWERS[fault];
      ctx.status = status;
      ctx.type = type;
      ctx.body = body;
      return;
    }
    await next();
    // The whole form as the provider parsed it (`params` keeps only the fields it recognises).
    const params = (ctx.oidc?.body ?? {}) as Record<string, unknown>;
    const answer = (ctx.body ?? {}) as { error?: unknown };
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    calls.push({
      grantType: text(params.grant_type),
      status: ctx.status,
      error: text(answer.error),
      fault: undefined,
      clientAuthentication: params.client_secret !== undefined ? 'post' : clientAuthentication,
      sentRefreshToken: typeof params.refresh_token === 'string',
      scope: text(params.scope),
      resource: text(params.resource),
    });
  };

  return {
    calls,
    failNext(count, fault) {
      for (let call = 0; call < count; call++) faults.push(fault);
    },
    middleware,
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
