/**
 * `npm run bench [-- options]` (the options: see `run.ts`). The bench runs the JavaScript an app
 * runs: `dist/` is built first when a file of `src/` is newer, and the bench is compiled into
 * `bench/compiled/`, where `apollo-token-refresh` resolves through package.json `exports` to
 * `dist/`, as it does in a user's app (tsconfig `paths` maps it to `src/` for type-checking only).
 * Compiled rather than run through tsx: tsx's helpers would add their own µs to every client in
 * S3, and its loader does not reach the server's worker thread on Node 20.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type Plugin } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));

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

const importedAsUsersDo: Plugin = {
  name: 'imported-as-users-do',
  setup(build) {
    // Our package stays an import, resolved at run time to dist/ (see above).
    build.onResolve({ filter: /^apollo-token-refresh(\/.*)?$/ }, ({ path }) => ({
      path,
      external: true,
    }));
    // Plain JavaScript (scripts/size.mjs) runs from where it is: it finds the repository from there.
    build.onResolve({ filter: /^\.\.?\/.*\.mjs$/ }, ({ path, resolveDir }) => ({
      path: resolve(resolveDir, path),
      external: true,
    }));
  },
};

const compile = (options: BuildOptions) =>
  build({
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    plugins: [importedAsUsersDo],
    logLevel: 'warning',
    ...options,
  });

buildPackageIfStale();
await compile({
  entryPoints: { run: `${root}bench/run.ts`, 'server-worker': `${root}bench/server-worker.ts` },
  outdir: `${root}bench/compiled`,
});
// Apollo Client 3 conflicts with the root's Apollo Client 4: the legacy client is compiled beside
// its own packages (`npm run bench:install`), which its imports then resolve to.
if (existsSync(`${root}bench/legacy/node_modules/apollo-link-token-refresh`)) {
  await compile({
    entryPoints: { client: `${root}bench/legacy/client.ts` },
    outdir: `${root}bench/legacy/compiled`,
  });
}

// Production mode, as shipped apps run (Apollo Client 3 and urql read it as they load).
const bench = spawn(
  process.execPath,
  ['--expose-gc', `${root}bench/compiled/run.mjs`, ...process.argv.slice(2)],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } },
);
bench.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
