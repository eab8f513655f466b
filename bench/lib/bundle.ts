import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** Minified and gzip bytes of a client's own code, and with its non-peer dependencies. */
export interface BundleRow {
  name: string;
  entry: string;
  own: { min: number; gzip: number };
  withDeps: { min: number; gzip: number };
  note?: string;
}

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Target {
  name: string;
  /** Module source bundled as the entry, resolved from `dir`. */
  source: string;
  dir: string;
  /** The GraphQL client and what it already brings: never counted. */
  peers: string[];
  /** Dependencies counted only in `withDeps`. */
  deps: string[];
  note?: string;
}

const apollo4 = ['@apollo/client', 'graphql', 'rxjs'];

const targets: Target[] = [
  {
    name: 'ours',
    // The built entry, as `scripts/size.mjs` measures it for the budget (see `builtEntry`).
    source: "export * from './dist/index.js';",
    dir: root,
    peers: apollo4,
    deps: ['jose', 'p-queue'],
    note: 'whole `.` entry (token core + links + errors)',
  },
  {
    name: 'naive',
    source: "export { createBlogLink } from './bench/lib/clients/blog-links.ts';",
    dir: root,
    peers: apollo4,
    deps: [],
    note: 'the link code only; the fetch of /refresh is left out, as for ours',
  },
  {
    name: 'one-future',
    source: "export { createBlogLink, oneFuture } from './bench/lib/clients/blog-links.ts';",
    dir: root,
    peers: apollo4,
    deps: [],
    note: 'as naive',
  },
  {
    name: 'legacy',
    source: "export { TokenRefreshLink } from 'apollo-link-token-refresh';",
    dir: `${root}bench/legacy`,
    peers: ['@apollo/client', 'graphql'],
    deps: ['tslib'],
    note: 'tslib comes through @apollo/client 3; ts-node is installed but never imported',
  },
  {
    name: 'urql',
    source: "export { authExchange } from '@urql/exchange-auth';",
    dir: root,
    peers: ['@urql/core', 'graphql'],
    deps: ['wonka'],
    note: 'wonka is also a dependency of @urql/core',
  },
];

async function bytes(t: Target, external: string[]): Promise<{ min: number; gzip: number }> {
  const result = await build({
    stdin: { contents: t.source, resolveDir: t.dir, loader: 'ts', sourcefile: `${t.name}.ts` },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    external,
    // Production builds drop the dev-only warnings of Apollo Client 3 and urql.
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

/** Builds `dist/` (`npm run build`) when it is missing or older than a file under `src/`. */
function builtEntry() {
  const built = join(root, 'dist/index.js');
  const stamp = existsSync(built) ? statSync(built).mtimeMs : 0;
  const sources = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' });
  if (sources.some((f) => statSync(join(root, 'src', f)).mtimeMs > stamp)) {
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  }
}

/** `skip` names clients whose packages are missing (legacy before `bench:install`). */
export async function measureBundles(skip: ReadonlySet<string>): Promise<BundleRow[]> {
  if (!skip.has('ours')) builtEntry();
  const rows: BundleRow[] = [];
  for (const t of targets) {
    if (skip.has(t.name)) continue;
    rows.push({
      name: t.name,
      entry: t.source,
      own: await bytes(t, [...t.peers, ...t.deps]),
      withDeps: await bytes(t, t.peers),
      ...(t.note && { note: t.note }),
    });
  }
  return rows;
}
