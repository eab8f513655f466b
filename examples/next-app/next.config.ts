import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const here = dirname(fileURLToPath(import.meta.url));

// Where the API server (server/index.ts) listens. Rewrites are fixed at `next build`, so the
// build and the server must agree on it (scripts/example.mjs passes the same value to both).
const api = process.env.API_ORIGIN ?? 'http://127.0.0.1:4000';

const config: NextConfig = {
  // The repo root has its own lockfile: pin the app root so nothing resolves from the library's
  // node_modules (a second copy of @apollo/client breaks the cache and the links).
  turbopack: { root: here },
  outputFileTracingRoot: here,
  poweredByHeader: false,
  // One origin for the browser: the httpOnly refresh cookie stays first-party and SameSite=Strict,
  // and no CORS is involved.
  rewrites: async () => [
    { source: '/api/auth/:path*', destination: `${api}/api/auth/:path*` },
    { source: '/graphql', destination: `${api}/graphql` },
  ],
};

export default config;
