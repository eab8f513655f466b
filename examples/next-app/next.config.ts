import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const here = dirname(fileURLToPath(import.meta.url));

const config: NextConfig = {
  // The repo root has its own lockfile: pin the app root so nothing resolves from the library's
  // node_modules (a second copy of @apollo/client breaks the cache and the links).
  turbopack: { root: here },
  outputFileTracingRoot: here,
  poweredByHeader: false,
};

export default config;
