import { type NextRequest, NextResponse } from 'next/server';

/**
 * Forwards `/api/auth/*` and `/graphql` to the API server (server/index.ts), so the browser talks
 * to one origin: the refresh cookie stays first-party and no CORS is involved. Read at request
 * time (not a `next.config` rewrite, which `next build` freezes), so one build serves any port.
 * The API server checks `Origin`, `Sec-Fetch-Site` and the content type itself: forwarded
 * unchanged.
 */
export function proxy(request: NextRequest) {
  const api = process.env.API_ORIGIN ?? 'http://127.0.0.1:4000';
  return NextResponse.rewrite(new URL(request.nextUrl.pathname, api));
}

export const config = { matcher: ['/api/auth/:path*', '/graphql'] };
