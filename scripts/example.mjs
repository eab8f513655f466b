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
 * One line per step with its time. A step whose inputs (hashed) are unchanged since its last
 * success is skipped: a warm start only starts the servers. A step that runs past its time limit
 * is stopped with a message saying what to check; one that is quiet prints a line every 10 s.
 * Every process it starts is stopped by its PID.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const app = join(root, 'examples', 'next-app');
const packDir = join(app, '.pack');
const tarball = join(packDir, 'apollo-token-refresh-0.1.0.tgz');
const args = process.argv.slice(2);
const e2e = args.includes('--e2e');
const fresh = args.includes('--fresh');
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
const started = [];
const t0 = Date.now();

const elapsed = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const say = (line) => console.log(`[example] ${line}`);

/** Every file under `paths` (files or folders, relative to `base`), skipping build output. */
function filesUnder(base, paths) {
  const skip = new Set(['node_modules', '.next', '.pack', 'dist', 'artifacts', 'test-results']);
  const out = [];
  const walk = (path) => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) if (!skip.has(name)) walk(join(path, name));
    } else out.push(path);
  };
  for (const path of paths) walk(join(base, path));
  return out;
}

/** A hash of the files' paths and contents, and of `extra` (settings that change the output). */
function fingerprint(files, extra = '') {
  const hash = createHash('sha256').update(extra);
  for (const file of files)
    hash.update(relative(root, file)).update('\0').update(readFileSync(file));
  return hash.digest('hex');
}

const readStamp = (file) => (existsSync(file) ? readFileSync(file, 'utf8') : '');

/**
 * Runs a step unless its output is `present` and `stampFile` holds `inputs` (the hash of
 * everything it depends on); writes the stamp after it succeeds.
 */
async function step(name, { inputs, present, stampFile, run }) {
  if (!fresh && present && readStamp(stampFile) === inputs) {
    say(`${name}: unchanged, skipped`);
    return;
  }
  const since = Date.now();
  say(`${name}…`);
  await run();
  if (stampFile) {
    mkdirSync(dirname(stampFile), { recursive: true });
    writeFileSync(stampFile, inputs);
  }
  say(`${name}: done in ${elapsed(since)}`);
}

/**
 * Runs a command to completion, its output shown as it comes. Past `timeoutMs` it is stopped
 * (by its PID) and the step fails with `hint`. A quiet command gets a line every 10 s.
 */
function exec(
  command,
  commandArgs,
  { cwd, timeoutMs, hint, label = `${command} ${commandArgs[0]}` },
) {
  return new Promise((resolve, reject) => {
    const since = Date.now();
    const child = spawn(command, commandArgs, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let lastOutput = Date.now();
    const forward = (stream, target) =>
      stream.on('data', (chunk) => {
        lastOutput = Date.now();
        target.write(chunk);
      });
    forward(child.stdout, process.stdout);
    forward(child.stderr, process.stderr);
    const heartbeat = setInterval(() => {
      if (Date.now() - lastOutput >= 10_000) {
        say(`  ${label}: still running (${elapsed(since)})…`);
        lastOutput = Date.now();
      }
    }, 1_000);
    const limit = setTimeout(() => {
      child.kill('SIGTERM');
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 5_000).unref();
      reject(
        new Error(
          `${command} ${commandArgs.join(' ')} did not finish within ${timeoutMs / 1000} s. ${hint}`,
        ),
      );
    }, timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearInterval(heartbeat);
      clearTimeout(limit);
      if (code === 0) resolve();
      else
        reject(
          new Error(`${command} ${commandArgs.join(' ')} exited with ${code ?? signal}. ${hint}`),
        );
    });
  });
}

/**
 * `count` distinct free ports on 127.0.0.1. Every probe stays open until all are chosen: probing
 * one at a time, the system can hand out the same port twice, and two servers then fight over it.
 */
async function freePorts(count) {
  const probes = [];
  try {
    for (let i = 0; i < count; i++) {
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
  started.push({ name, child });
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
      const res = await fetch(url, { redirect: 'manual' });
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} did not answer ${url} within ${timeoutMs / 1000} s`);
}

let stopping = false;
async function stopAll() {
  stopping = true;
  await Promise.all(
    started.map(
      ({ child }) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

async function main() {
  // 1. The library, built and packed as npm publishes it (`npm pack` runs the build: prepack).
  // Both are deterministic, so the step is skipped when the sources did not change.
  const libraryInputs = fingerprint(
    filesUnder(root, [
      'src',
      'package.json',
      'tsup.config.ts',
      'tsconfig.json',
      'README.md',
      'CHANGELOG.md',
      'LICENSE',
    ]),
  );
  const cache = join(app, '.example-cache');
  await step('1/4 build and pack the library', {
    inputs: libraryInputs,
    present: existsSync(tarball),
    stampFile: join(cache, 'library'),
    run: async () => {
      rmSync(packDir, { recursive: true, force: true });
      mkdirSync(packDir);
      await exec('npm', ['pack', '--pack-destination', packDir, '--silent'], {
        cwd: root,
        timeoutMs: 180_000,
        label: 'npm pack (tsup build)',
        hint: 'Run `npm pack` at the repository root to see why.',
      });
    },
  });

  // 2. The app's dependencies: exactly the versions and bytes of its lockfile (integrity checked),
  // cached packages first (--prefer-offline); the freshly packed library replaces the one before.
  // --no-save: the library's integrity changes with every build, the lockfile stays as it is.
  const installInputs = fingerprint([
    join(app, 'package.json'),
    join(app, 'package-lock.json'),
    tarball,
  ]);
  await step('2/4 install the app (npm install)', {
    inputs: installInputs,
    present: existsSync(join(app, 'node_modules', 'next')),
    stampFile: join(app, 'node_modules', '.example-stamp'),
    run: () =>
      exec(
        'npm',
        [
          'install',
          '--no-save',
          '--no-audit',
          '--no-fund',
          '--prefer-offline',
          '--loglevel=http',
          './.pack/apollo-token-refresh-0.1.0.tgz',
        ],
        {
          cwd: app,
          timeoutMs: 300_000,
          hint: 'The registry may be slow or unreachable: check `npm config get registry` and the network, then run it again (finished downloads are cached).',
        },
      ),
  });

  // 3. next build. Ports and token lifetimes are read at request time, so one build serves the
  // example and the e2e alike.
  const appInputs = fingerprint(
    filesUnder(app, ['app', 'lib', 'proxy.ts', 'next.config.ts', 'tsconfig.json', 'package.json']),
    installInputs,
  );
  await step('3/4 next build', {
    inputs: appInputs,
    present: existsSync(join(app, '.next', 'BUILD_ID')),
    stampFile: join(app, '.next', '.example-stamp'),
    run: () =>
      exec(process.execPath, ['node_modules/next/dist/bin/next', 'build'], {
        cwd: app,
        timeoutMs: 300_000,
        label: 'next build',
        hint: 'Run `node node_modules/next/dist/bin/next build` in examples/next-app to see why.',
      }),
  });

  // 4. The API server and Next.js.
  const [freeApi, freeWeb] = e2e ? await freePorts(2) : [4000, 3000];
  const apiPort = Number(process.env.API_PORT || freeApi);
  const webPort = Number(process.env.PORT || freeWeb);
  const apiOrigin = `http://127.0.0.1:${apiPort}`;
  const webOrigin = `http://127.0.0.1:${webPort}`;
  const shared = {
    API_ORIGIN: apiOrigin,
    WEB_ORIGIN: webOrigin,
    ACCESS_TTL_MS: process.env.ACCESS_TTL_MS ?? (e2e ? '8000' : '20000'),
  };
  Object.assign(env, shared);
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
  say(`ready in ${elapsed(t0)}: ${webOrigin}`);

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

  const t1 = Date.now();
  const playwright = spawn(
    process.execPath,
    [
      join(root, 'node_modules', '@playwright', 'test', 'cli.js'),
      'test',
      '-c',
      join(app, 'e2e', 'playwright.config.ts'),
      ...args.filter((a) => a !== '--e2e' && a !== '--fresh'),
    ],
    {
      cwd: root,
      env: { ...env, E2E_BASE_URL: webOrigin, E2E_API_URL: apiOrigin },
      stdio: 'inherit',
    },
  );
  started.push({ name: 'playwright', child: playwright });
  const code = await new Promise((resolve) => playwright.once('exit', (c) => resolve(c ?? 1)));
  say(`e2e took ${elapsed(t1)}`);
  return code;
}

main()
  .catch((error) => {
    console.error(`[example] ${error.message}`);
    return 1;
  })
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  });
