/**
 * The bench's child processes. Each measures one client in one task, in a fresh Node process
 * with `NODE_ENV=production`, running the JavaScript an app runs: `dist/` (rebuilt when a file of
 * `src/` is newer), which `apollo-token-refresh` resolves to through package.json `exports`, and
 * the bench compiled by esbuild into `bench/compiled/` (tsx's helpers would add their own µs to
 * every client in S3).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';

/** `large`: N of the large scenarios; `warmUp`: happy-path queries before the scenario. */
export type Task =
  | ({ kind: 'scenario' | 'profile'; scenario: string; client: string } & ScenarioTaskOptions)
  | { kind: 'overhead'; client: string; queries: number; repetitions: number }
  | { kind: 'memory'; client: string };

export interface ScenarioTaskOptions {
  large: number;
  repetitions: number;
  warmUp: number;
}

export const root = fileURLToPath(new URL('../', import.meta.url));
export const legacyInstalled = existsSync(
  `${root}bench/legacy/node_modules/apollo-link-token-refresh`,
);
/** A child still running after this is killed: a client that hangs cannot stall the bench. */
const CHILD_LIMIT_MS = 240_000;

const compile = (options: BuildOptions) =>
  build({
    bundle: true,
    // Packages stay imports that Node resolves, as in an app; ours too, which tsconfig `paths`
    // would otherwise have esbuild take from `src/`.
    packages: 'external',
    external: ['apollo-token-refresh'],
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
    ...options,
  });

/** `dist/` when stale; the client process, each client module a chunk that one process loads. */
export async function buildForChildren(): Promise<void> {
  const builtAt = existsSync(`${root}dist/index.js`) ? statSync(`${root}dist/index.js`).mtimeMs : 0;
  const sources = readdirSync(`${root}src`, { recursive: true, encoding: 'utf8' });
  if (sources.some((file) => statSync(`${root}src/${file}`).mtimeMs > builtAt)) {
    process.stderr.write('bench: building dist/ (src/ is newer)\n');
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  }
  rmSync(`${root}bench/compiled`, { recursive: true, force: true });
  await compile({
    entryPoints: {
      'client-process': `${root}bench/client-process.ts`,
      'server-process': `${root}fixtures/server/process-entry.ts`,
    },
    splitting: true,
    outdir: `${root}bench/compiled`,
  });
  // Apollo Client 3 conflicts with the root's Apollo Client 4: the legacy client is compiled
  // beside its own packages (`npm run bench:install`), which its imports then resolve to.
  if (legacyInstalled) {
    const entryPoints = { client: `${root}bench/legacy/client.ts` };
    await compile({ entryPoints, outdir: `${root}bench/legacy/compiled` });
  }
}

/** Runs `task` in a fresh process; resolves with the JSON it printed last. */
export function inChild<Result>(task: Task): Promise<Result> {
  // Only the memory task forces GC; the others run with Node's defaults, as an app does.
  const flags = task.kind === 'memory' ? ['--expose-gc'] : [];
  const file = `${root}bench/compiled/client-process.mjs`;
  const child = spawn(process.execPath, [...flags, file, JSON.stringify(task)], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_LIMIT_MS);
  return new Promise<Result>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const last = output.trim().split('\n').at(-1) ?? '';
      if (code === 0 && last) return resolve(JSON.parse(last) as Result);
      reject(new Error(`bench: ${task.kind} ${task.client} ended with ${signal ?? code}`));
    });
  });
}
