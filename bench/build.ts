/**
 * The JavaScript the client processes run is the JavaScript an app runs: `dist/` is rebuilt when a
 * file of `src/` is newer, and the bench's client process is compiled into `bench/compiled/`,
 * where `apollo-token-refresh` resolves through package.json `exports` to `dist/` (tsconfig
 * `paths` maps it to `src/` for type-checking only). Compiled, not run through tsx: its helpers
 * would add their own µs to every client in S3.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { type BuildOptions, build } from 'esbuild';
import { root } from './children.js';

/** Runs `npm run build` when `dist/` is missing or older than a file under `src/`. */
function buildPackageIfStale(): void {
  const built = `${root}dist/index.js`;
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  const sources = readdirSync(`${root}src`, { recursive: true, encoding: 'utf8' });
  if (sources.some((file) => statSync(`${root}src/${file}`).mtimeMs > builtAt)) {
    process.stderr.write('bench: building dist/ (src/ is newer)\n');
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  }
}

const compile = (options: BuildOptions) =>
  build({
    bundle: true,
    // Packages, ours included, stay imports that Node resolves as in an app.
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
    ...options,
  });

export const legacyInstalled = existsSync(
  `${root}bench/legacy/node_modules/apollo-link-token-refresh`,
);

export async function buildForChildren(): Promise<void> {
  buildPackageIfStale();
  await compile({
    entryPoints: {
      'client-process': `${root}bench/client-process.ts`,
      'server-process': `${root}fixtures/server/process-entry.ts`,
    },
    // Each client module becomes a chunk of its own, loaded by the one process that measures it.
    splitting: true,
    outdir: `${root}bench/compiled`,
  });
  // Apollo Client 3 conflicts with the root's Apollo Client 4: the legacy client is compiled beside
  // its own packages (`npm run bench:install`), which its imports then resolve to.
  if (legacyInstalled) {
    await compile({
      entryPoints: { client: `${root}bench/legacy/client.ts` },
      outdir: `${root}bench/legacy/compiled`,
    });
  }
}
