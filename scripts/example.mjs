#!/usr/bin/env node
/**
 * Starts the Next.js example (examples/next-app) as a user would run it: the library built and
 * packed, installed into the app from the tarball (its `exports`, one copy of @apollo/client),
 * `next build`, then the API server and `next start`.
 *
 *   node scripts/example.mjs          # http://127.0.0.1:3000 until Ctrl-C (PORT / API_PORT override)
 *   node scripts/example.mjs --e2e    # free ports, 8 s tokens, runs the Playwright e2e, stops
 *   node scripts/example.mjs --fresh  # redo every step even when its inputs did not change
 *
 * One line per step with its time; a step's own output is shown only when it fails, and a long
 * step says every 10 s that it is still running. A step is skipped while its output is newer
 * than every file it is made from (modification times: a checkout or an edit makes a file
 * newer), so a warm start only starts the servers. Most of the length is what reliability costs:
 * a time limit on every step, the tarball checked twice (every file `exports` names is in it;
 * node_modules holds these very bytes), ports probed together, every process stopped by its PID.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const app = join(root, 'examples', 'next-app');
const packDir = join(app, '.pack');
// A fixed name, whatever the version: examples/next-app/package.json depends on this file.
const tarball = join(packDir, 'apollo-token-refresh.tgz');
const installStamp = join(app, 'node_modules', '.example-installed');
const buildStamp = join(app, '.next', '.example-built');
const args = process.argv.slice(2);
const e2e = args.includes('--e2e');
const fresh = args.includes('--fresh');
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
const started = [];
let stopping = false;
const startedAt = Date.now();

const elapsed = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const say = (line) => console.log(`[example] ${line}`);

/** The newest modification time of the files and folders at `paths` (a deleted file changes its folder's). */
function newestChange(paths) {
  let newest = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const names = statSync(path).isDirectory()
      ? readdirSync(path, { recursive: true }).map((name) => join(path, name))
      : [];
    for (const name of [path, ...names]) newest = Math.max(newest, statSync(name).mtimeMs);
  }
  return newest;
}

const upToDate = (output, inputs) =>
  !fresh && existsSync(output) && statSync(output).mtimeMs > newestChange(inputs);

async function step(name, skip, work) {
  if (skip) return say(`${name}: up to date, skipped`);
  const since = Date.now();
  say(`${name}…`);
  await work();
  say(`${name}: done in ${elapsed(since)}`);
}

/**
 * Runs a command to completion and resolves with its standard output. Its output is kept and
 * printed only if it fails; past `timeoutMs` it is stopped (by its PID) and fails with `hint`.
 */
function run(command, commandArgs, { cwd, timeoutMs, hint }) {
  const label = `${command === process.execPath ? 'node' : command} ${commandArgs.join(' ')}`;
  return new Promise((resolve, reject) => {
    const since = Date.now();
    const child = spawn(command, commandArgs, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const standardOutput = [];
    const everything = [];
    child.stdout.on('data', (chunk) => {
      standardOutput.push(chunk);
      everything.push(chunk);
    });
    child.stderr.on('data', (chunk) => everything.push(chunk));
    const heartbeat = setInterval(() => say(`  still running (${elapsed(since)})…`), 10_000);
    const limit = setTimeout(() => {
      child.kill('SIGTERM');
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 5_000).unref();
      finish(`did not finish within ${timeoutMs / 1000} s`);
    }, timeoutMs);
    let finished = false;
    // The first of exit, error and time limit decides; a stopped command still exits later.
    function finish(failure) {
      if (finished) return;
      finished = true;
      clearInterval(heartbeat);
      clearTimeout(limit);
      if (!failure) return resolve(Buffer.concat(standardOutput).toString());
      process.stderr.write(Buffer.concat(everything));
      reject(new Error(`${label} ${failure}. ${hint}`));
    }
    child.once('error', (error) => finish(`could not start (${error.message})`));
    child.once('exit', (code, signal) =>
      finish(code === 0 ? undefined : `exited with ${code ?? signal}`),
    );
  });
}

/** Every file the library's `exports` names, as `npm pack --json` lists them (no leading `./`). */
function exportedFiles(exports) {
  if (typeof exports === 'string') return [exports.replace(/^\.\//, '')];
  return Object.values(exports ?? {}).flatMap(exportedFiles);
}

/** The tarball's integrity as npm records it in a lockfile. */
const integrityOf = (file) =>
  `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;

/**
 * `count` distinct free ports on 127.0.0.1. Every probe stays open until all are chosen: probing
 * one at a time, the system can hand out the same port twice, and two servers then fight over it.
 */
async function freePorts(count) {
  const probes = [];
  try {
    for (let index = 0; index < count; index++) {
      probes.push(
        await new Promise((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
      );
    }
    return probes.map((server) => server.address().port);
  } finally {
    await Promise.all(probes.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

function startServer(name, serverArgs, extraEnv) {
  const child = spawn(process.execPath, serverArgs, {
    cwd: app,
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  started.push(child);
  child.once('exit', (code, signal) => {
    if (!stopping) console.error(`[example] ${name} exited (${code ?? signal})`);
  });
  return child;
}

async function waitFor(url, what, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited before it answered ${url}`);
    try {
      const response = await fetch(url, { redirect: 'manual' });
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} did not answer ${url} within ${timeoutMs / 1000} s`);
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
  child.kill('SIGTERM');
  await once(child, 'exit');
  clearTimeout(force);
}

async function main() {
  // 1. The library, built and packed as `npm publish` would (whose prepack is the same build).
  // The build runs first rather than as npm pack's prepack, whose output would spoil --json.
  const libraryInputs = [
    'src',
    'package.json',
    'tsup.config.ts',
    'tsconfig.json',
    'README.md',
    'CHANGELOG.md',
    'LICENSE',
  ];
  await step(
    '1/4 build and pack the library',
    upToDate(
      tarball,
      libraryInputs.map((path) => join(root, path)),
    ),
    async () => {
      const since = Date.now();
      const hint = 'Run `npm run build && npm pack` at the repository root to see why.';
      await run('npm', ['run', 'build'], { cwd: root, timeoutMs: 180_000, hint });
      rmSync(packDir, { recursive: true, force: true });
      mkdirSync(packDir);
      const [packed] = JSON.parse(
        await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], {
          cwd: root,
          timeoutMs: 60_000,
          hint,
        }),
      );
      // A build that lost a file shows up here, not as a type error in next build, and is not
      // kept: the next start builds again.
      const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
      const packedFiles = new Set(packed.files.map((file) => file.path));
      const missing = exportedFiles(manifest.exports).filter((file) => !packedFiles.has(file));
      if (missing.length > 0)
        throw new Error(
          `the build left out ${missing.join(', ')}, which \`exports\` names. ${hint}`,
        );
      renameSync(join(packDir, packed.filename), tarball);
      // Dated when the build started: a source saved while it ran is newer, so it is rebuilt.
      utimesSync(tarball, since / 1000, since / 1000);
    },
  );

  // 2. The app's dependencies at the lockfile's versions, cached packages first. npm takes a
  // `file:` tarball it installed before as up to date without reading it, so the tarball is named
  // (read every time); --no-save keeps its integrity, new with every build, out of the lockfile.
  await step(
    '2/4 install the app (npm install)',
    upToDate(installStamp, [join(app, 'package.json'), join(app, 'package-lock.json'), tarball]),
    async () => {
      await run(
        'npm',
        [
          'install',
          '--no-save',
          '--no-audit',
          '--no-fund',
          '--prefer-offline',
          '--loglevel=error',
          './.pack/apollo-token-refresh.tgz',
        ],
        {
          cwd: app,
          timeoutMs: 300_000,
          hint: 'The registry may be slow or unreachable: check `npm config get registry` and the network, then run it again (finished downloads are cached).',
        },
      );
      const installed = JSON.parse(
        readFileSync(join(app, 'node_modules', '.package-lock.json'), 'utf8'),
      ).packages['node_modules/apollo-token-refresh']?.integrity;
      if (installed !== integrityOf(tarball))
        throw new Error(
          'node_modules holds another build of the library than .pack/apollo-token-refresh.tgz: delete examples/next-app/node_modules and start again.',
        );
      writeFileSync(installStamp, '');
    },
  );

  // 3. next build. Ports and token lifetimes are read at request time, so one build serves the
  // example and the e2e alike.
  const appInputs = ['app', 'lib', 'proxy.ts', 'next.config.ts', 'tsconfig.json', 'package.json'];
  await step(
    '3/4 next build',
    upToDate(buildStamp, [...appInputs.map((path) => join(app, path)), installStamp]),
    async () => {
      await run(process.execPath, ['node_modules/next/dist/bin/next', 'build'], {
        cwd: app,
        timeoutMs: 300_000,
        hint: 'Run `node node_modules/next/dist/bin/next build` in examples/next-app to see why.',
      });
      writeFileSync(buildStamp, '');
    },
  );

  // 4. The API server and Next.js.
  const [freeApi, freeWeb] = e2e ? await freePorts(2) : [4000, 3000];
  const apiPort = Number(process.env.API_PORT || freeApi);
  const webPort = Number(process.env.PORT || freeWeb);
  const apiOrigin = `http://127.0.0.1:${apiPort}`;
  const webOrigin = `http://127.0.0.1:${webPort}`;
  Object.assign(env, {
    API_ORIGIN: apiOrigin,
    WEB_ORIGIN: webOrigin,
    ACCESS_TTL_MS: process.env.ACCESS_TTL_MS ?? (e2e ? '8000' : '20000'),
  });
  const since = Date.now();
  say('4/4 start the API server and Next.js…');
  const api = startServer('api', ['--import', 'tsx', 'server/index.ts'], {
    API_PORT: String(apiPort),
    LOG_AUTH: e2e ? '1' : (process.env.LOG_AUTH ?? '0'),
    TEST_ENDPOINTS: e2e || process.env.TEST_ENDPOINTS === '1' ? '1' : '0',
  });
  const web = startServer(
    'next',
    ['node_modules/next/dist/bin/next', 'start', '-p', String(webPort), '-H', '127.0.0.1'],
    {},
  );
  await waitFor(`${apiOrigin}/healthz`, 'The API server', api);
  await waitFor(`${webOrigin}/login`, 'Next.js', web);
  say(`4/4 start the API server and Next.js: done in ${elapsed(since)}`);
  say(`ready in ${elapsed(startedAt)}: ${webOrigin}`);

  if (!e2e) {
    say('sign in with any user name and the password "demo" (lower case); Ctrl-C stops.');
    await new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
      api.once('exit', resolve);
      web.once('exit', resolve);
    });
    return 0;
  }

  const testsStartedAt = Date.now();
  const playwright = spawn(
    process.execPath,
    [
      join(root, 'node_modules', '@playwright', 'test', 'cli.js'),
      'test',
      '-c',
      join(app, 'e2e', 'playwright.config.ts'),
      ...args.filter((argument) => argument !== '--e2e' && argument !== '--fresh'),
    ],
    {
      cwd: root,
      env: { ...env, E2E_BASE_URL: webOrigin, E2E_API_URL: apiOrigin },
      stdio: 'inherit',
    },
  );
  started.push(playwright);
  const [code] = await once(playwright, 'exit');
  say(`e2e took ${elapsed(testsStartedAt)}`);
  return code ?? 1;
}

main()
  .catch((error) => {
    console.error(`[example] ${error.message}`);
    return 1;
  })
  .then(async (code) => {
    stopping = true;
    await Promise.all(started.map(stop));
    process.exit(code);
  });
