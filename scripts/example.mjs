#!/usr/bin/env node
/**
 * Builds the library, installs it into examples/next-app as a packed tarball (the way a user
 * gets it from the registry: through its `exports`, with one copy of @apollo/client), builds the
 * Next.js app and starts the API server and Next.js.
 *
 *   node scripts/example.mjs          # http://127.0.0.1:3000 until Ctrl-C (PORT / API_PORT override)
 *   node scripts/example.mjs --e2e    # free ports, short tokens, runs the Playwright e2e, stops
 *
 * While iterating: --reuse-lib keeps the installed library, --reuse-next the last `next build`
 * (only valid for the same ports, so not with --e2e's free ports unless API_PORT is set).
 *
 * Every process it starts is stopped by its PID.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const app = join(root, 'examples', 'next-app');
const flags = new Set(process.argv.slice(2).filter((a) => a.startsWith('--reuse-')));
const e2e = process.argv.includes('--e2e');
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
const started = [];

function run(cmd, args, cwd) {
  const t = Date.now();
  const r = spawnSync(cmd, args, { cwd, env, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
  console.log(
    `[example] ${cmd} ${args[0]} ${args[1] ?? ''}: ${((Date.now() - t) / 1000).toFixed(1)} s`,
  );
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
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
      );
    }
    return probes.map((s) => s.address().port);
  } finally {
    await Promise.all(probes.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

function start(name, args, extraEnv) {
  const child = spawn(process.execPath, args, {
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

async function waitFor(url, what, child) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited before it answered`);
    try {
      const res = await fetch(url, { redirect: 'manual' });
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not answer ${url} within 60 s`);
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
  const t0 = Date.now();
  if (!flags.has('--reuse-lib')) {
    run('npm', ['run', 'build'], root);
    const pack = join(app, '.pack');
    rmSync(pack, { recursive: true, force: true });
    mkdirSync(pack);
    run('npm', ['pack', '--pack-destination', pack, '--silent'], root);
  }
  // --no-save: the lockfile keeps the app's registry dependencies pinned while the freshly packed
  // library replaces the one installed before (its integrity changes with every build).
  run(
    'npm',
    [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      './.pack/apollo-token-refresh-0.1.0.tgz',
    ],
    app,
  );

  const [freeApi, freeWeb] = e2e ? await freePorts(2) : [4000, 3000];
  const apiPort = Number(process.env.API_PORT || freeApi);
  const webPort = Number(process.env.PORT || freeWeb);
  const apiOrigin = `http://127.0.0.1:${apiPort}`;
  const webOrigin = `http://127.0.0.1:${webPort}`;
  const ttl = process.env.ACCESS_TTL_MS ?? (e2e ? '8000' : '20000');
  const shared = { API_ORIGIN: apiOrigin, ACCESS_TTL_MS: ttl };
  Object.assign(env, shared);

  if (!flags.has('--reuse-next'))
    run(process.execPath, ['node_modules/next/dist/bin/next', 'build'], app);

  const api = start('api', ['--import', 'tsx', 'server/index.ts'], {
    API_PORT: String(apiPort),
    LOG_AUTH: e2e ? '1' : (process.env.LOG_AUTH ?? '0'),
    TEST_ENDPOINTS: e2e || process.env.TEST_ENDPOINTS === '1' ? '1' : '0',
  });
  const web = start(
    'next',
    ['node_modules/next/dist/bin/next', 'start', '-p', String(webPort), '-H', '127.0.0.1'],
    {},
  );
  await waitFor(`${apiOrigin}/healthz`, 'API server', api);
  await waitFor(`${webOrigin}/login`, 'Next.js', web);
  console.log(`[example] ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${webOrigin}`);

  if (!e2e) {
    console.log('[example] sign in with any user name and the password "demo"; Ctrl-C stops.');
    await new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
      api.once('exit', resolve);
      web.once('exit', resolve);
    });
    return 0;
  }

  const t1 = Date.now();
  const pw = spawn(
    process.execPath,
    [
      join(root, 'node_modules', '@playwright', 'test', 'cli.js'),
      'test',
      '-c',
      join(app, 'e2e', 'playwright.config.ts'),
      ...process.argv.slice(2).filter((a) => a !== '--e2e' && !flags.has(a)),
    ],
    {
      cwd: root,
      env: { ...env, E2E_BASE_URL: webOrigin, E2E_API_URL: apiOrigin },
      stdio: 'inherit',
    },
  );
  started.push({ name: 'playwright', child: pw });
  const code = await new Promise((resolve) => pw.once('exit', (c) => resolve(c ?? 1)));
  console.log(`[example] e2e took ${((Date.now() - t1) / 1000).toFixed(1)} s`);
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
