import { randomBytes } from 'node:crypto';
import { jwtVerify } from 'jose';
import type { World } from './world.js';

/**
 * The HS256 secret the token endpoint signs with and every server verifies with. `rotate()`
 * replaces it at once, with no grace period: tokens signed before are rejected from then on,
 * while the client still believes them valid (how a server-side 401 is provoked on demand).
 */
export interface SigningKey {
  /**
   * The secret as a string (what graphql-yoga's JWT plugin takes from its key providers);
   * base64url, so its UTF-8 bytes, which jsonwebtoken uses, are the bytes jose gets from `bytes()`.
   */
  secret(): string;
  /** The secret's bytes, for jose. */
  bytes(): Uint8Array;
  rotate(): void;
}

export function createSigningKey(): SigningKey {
  const fresh = () => randomBytes(32).toString('base64url');
  let secret = fresh();
  let bytes = new TextEncoder().encode(secret);
  return {
    secret: () => secret,
    bytes: () => bytes,
    rotate() {
      secret = fresh();
      bytes = new TextEncoder().encode(secret);
    },
  };
}

/** `Bearer <token>` → token; anything else → `null`. */
export function bearerToken(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return /^Bearer\s+(\S+)$/i.exec(value.trim())?.[1] ?? null;
}

/**
 * The subject of a valid access token on the servers' clock, or `null` (missing, expired, signed
 * with another key). jose's `currentDate` is its documented way to take a clock.
 */
export async function verifiedSubject(
  token: string | null,
  key: SigningKey,
  world: World,
): Promise<string | null> {
  if (!token) return null;
  try {
    const { payload } = await jwtVerify(token, key.bytes(), {
      algorithms: ['HS256'],
      currentDate: new Date(world.now()),
    });
    return typeof payload.sub === 'string' ? payload.sub : null;
  } catch {
    return null;
  }
}
