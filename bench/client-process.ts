/**
 * One client's process (compiled; see `children.ts`): performs the task given as JSON in its
 * argument with the one client it names, and prints the result as JSON on its last line.
 *
 * A scenario's repetitions run against the test server in a process of its own, each with a
 * fresh session and a fresh client, while this process, its JIT and its heap carry over from one
 * repetition to the next, as in an app.
 */
import { type ServerProcess, startServerProcess } from '../fixtures/server/process.js';
import type { Task } from './children.js';
import { BARE, loadClient } from './clients/load.js';
import type { AppTokens, ClientFactory } from './clients/types.js';
import { measureMemory } from './memory.js';
import { outcomeOf } from './outcome.js';
import { measureOverhead } from './overhead.js';
import { profile } from './profile.js';
import { REFRESH_LATENCY_MS, type Run, type Scenario, scenarios } from './scenarios.js';

/** The test server's entry, compiled beside this file. */
const serverEntry = new URL('./server-process.mjs', import.meta.url);

const start = (create: ClientFactory, server: ServerProcess, tokens: AppTokens) =>
  create({ url: server.url, refreshUrl: server.refreshUrl, tokens, now: Date.now, fetch });

/**
 * A refresh happens in an app's process that has served operations with a valid token for a
 * while: the client first serves `queries` of them, in bursts of 50. Its happy path is then
 * compiled, as in the app; its refresh path is not (it has not run yet).
 */
async function warmUp(create: ClientFactory, server: ServerProcess, queries: number) {
  if (queries <= 0) return;
  await server.call('knobs', { refresh: 'ok' });
  const app = await start(create, server, await server.call('login'));
  try {
    for (let sent = 0; sent < queries; sent += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, index) => app.query(sent + index)));
    }
  } finally {
    app.dispose();
  }
}

async function runRepetition(
  scenario: Scenario,
  create: ClientFactory,
  server: ServerProcess,
): Promise<Run> {
  await server.call('knobs', { refresh: scenario.refuseRefresh ? '401' : 'ok' });
  const tokens = await server.call('login');
  if (scenario.session === 'expired') {
    tokens.accessToken = await server.call('signAccessToken', { ttlMs: -1000 });
  }
  if (scenario.session === 'revoked') await server.call('revoke', tokens.accessToken);
  await server.call('drain');
  const app = await start(create, server, tokens);
  try {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const queries = Array.from({ length: scenario.queries }, (_, index) => app.query(index));
    const outcomes = await Promise.all(queries.map(outcomeOf));
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const { requests, refreshes, unauthorized, maxConcurrentRefreshes } =
      await server.call('drain');
    const codes: Record<string, number> = {};
    for (const { ok, code = '?' } of outcomes) if (!ok) codes[code] = (codes[code] ?? 0) + 1;
    return {
      refreshes,
      maxConcurrentRefreshes,
      unauthorized,
      httpRequests: requests + refreshes,
      errors: outcomes.filter((outcome) => !outcome.ok).length,
      logouts: app.logouts(),
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      codes,
    };
  } finally {
    app.dispose();
  }
}

async function perform(task: Task): Promise<unknown> {
  const create = await loadClient(task.client);
  if (task.kind === 'overhead') {
    return measureOverhead(task.client, [create, await loadClient(BARE)], task);
  }
  if (task.kind === 'memory') return measureMemory(task.client, create, serverEntry);
  const scenario = scenarios(task.large).find(({ id }) => id === task.scenario);
  if (!scenario) throw new Error(`bench: no scenario ${task.scenario}`);
  const server = await startServerProcess({ refreshLatencyMs: REFRESH_LATENCY_MS }, serverEntry);
  const repetitions = async () => {
    const runs: Run[] = [];
    for (let index = 0; index < task.repetitions; index++) {
      runs.push(await runRepetition(scenario, create, server));
    }
    return runs;
  };
  try {
    await warmUp(create, server, task.warmUp);
    if (task.kind === 'scenario') return await repetitions();
    return await profile(`${scenario.id} ${task.client}`, repetitions);
  } finally {
    await server.close();
  }
}

const result = await perform(JSON.parse(process.argv[2] ?? '{}') as Task);
// Exits at once: a client may keep a timer or a socket alive after `dispose`.
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
