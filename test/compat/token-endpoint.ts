import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { createSigningKey, type SigningKey } from './signing.js';
import { ACCESS_TTL_MS, type World } from './world.js';

/**
 * `rotating`: every refresh answers a new single-use refresh token; presenting a used one again
 * revokes its whole family (reuse detection, OAuth 2.0 Security BCP), so the session is gone.
 * `non-rotating`: the refresh token stays valid and a refresh answers `{ accessToken }` only
 * (RFC 6749 §6 lets the server leave the refresh token out).
 */
export type Rotation = 'rotating' | 'non-rotating';

export interface TokenEndpoint {
  readonly rotation: Rotation;
  /** `POST { user }` → `{ accessToken, refreshToken }`. */
  readonly loginUrl: string;
  /** `POST { refreshToken }` → new tokens, or 400/401 `{ error }`. */
  readonly refreshUrl: string;
  readonly key: SigningKey;
  /** Every access and refresh token this endpoint issued, for the leak checks. */
  readonly issued: readonly string[];
  readonly stats: {
    /** Refresh requests received (successful or not). */
    refreshes: number;
    /** Refresh requests without a refresh token. */
    missingRefreshToken: number;
    /** Used refresh tokens presented again (each revoked its family). */
    reused: number;
    /** Refresh requests answered 400 or 401. */
    rejected: number;
  };
  /** Answers refresh requests with this HTTP status instead of tokens; `null` to stop. */
  failRefreshesWith(status: number | null): void;
  /** Holds refresh answers (requests are counted on arrival) until the returned call. */
  holdRefreshes(): () => void;
  close(): Promise<void>;
}

interface Family {
  user: string;
  revoked: boolean;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** A real HTTP token endpoint on 127.0.0.1 signing 5-minute access tokens on the world's clock. */
export async function startTokenEndpoint(world: World, rotation: Rotation): Promise<TokenEndpoint> {
  const key = createSigningKey();
  const issued: string[] = [];
  const families = new Map<string, { family: Family; used: boolean }>();
  const stats = { refreshes: 0, missingRefreshToken: 0, reused: 0, rejected: 0 };
  let failStatus: number | null = null;
  let held: Promise<void> | undefined;

  const accessToken = async (user: string) => {
    const issuedAt = Math.floor(world.now() / 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ACCESS_TTL_MS / 1000)
      // Two tokens issued within the same second still differ.
      .setJti(randomUUID())
      .sign(key.bytes());
    issued.push(token);
    return token;
  };
  const refreshToken = (family: Family) => {
    const token = randomBytes(24).toString('base64url');
    families.set(token, { family, used: false });
    issued.push(token);
    return token;
  };

  const refresh = async (presented: unknown): Promise<[number, unknown]> => {
    if (typeof presented !== 'string') {
      stats.missingRefreshToken++;
      return [400, { error: 'invalid_request' }];
    }
    const entry = families.get(presented);
    if (!entry || entry.family.revoked) return [401, { error: 'invalid_grant' }];
    if (rotation === 'non-rotating')
      return [200, { accessToken: await accessToken(entry.family.user) }];
    if (entry.used) {
      stats.reused++;
      entry.family.revoked = true;
      return [401, { error: 'invalid_grant' }];
    }
    entry.used = true;
    return [
      200,
      {
        accessToken: await accessToken(entry.family.user),
        refreshToken: refreshToken(entry.family),
      },
    ];
  };

  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    if (req.method === 'POST' && req.url === '/login') {
      const family = { user: typeof body.user === 'string' ? body.user : 'alice', revoked: false };
      return reply(res, 200, {
        accessToken: await accessToken(family.user),
        refreshToken: refreshToken(family),
      });
    }
    if (req.method === 'POST' && req.url === '/refresh') {
      stats.refreshes++;
      world.changed();
      await held;
      const [status, answer] =
        failStatus === null
          ? await refresh(body.refreshToken)
          : [failStatus, { error: 'temporarily_unavailable' }];
      if (status === 400 || status === 401) stats.rejected++;
      reply(res, status, answer);
      world.changed();
      return;
    }
    reply(res, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    rotation,
    loginUrl: `${base}/login`,
    refreshUrl: `${base}/refresh`,
    key,
    issued,
    stats,
    failRefreshesWith(status) {
      failStatus = status;
    },
    holdRefreshes() {
      let release = () => {};
      held = new Promise<void>((resolve) => {
        release = resolve;
      });
      return () => {
        held = undefined;
        release();
      };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
