/**
 * One scenario's repetitions with one client, in the client's own process, against a test server
 * in a process of its own. Each repetition has a fresh session and a fresh client; the process,
 * its JIT and its heap carry over from one repetition to the next, as in an app.
 */
import { performance } from 'node:perf_hooks';
import type { ServerProcess } from '../fixtures/server/process.js';
import type { ClientModule } from './clients/types.js';
import type { Clock, Run, Scenario } from './scenarios.js';

/** Real time plus an offset that `advance` moves, the server's clock frozen at the same time. */
function movingClock(server: ServerProcess): Clock {
  let offset = 0;
  const now = () => Date.now() + offset;
  return {
    now,
    async advance(ms) {
      offset += ms;
      await server.call('setClock', now());
    },
  };
}

const realClock: Clock = { now: () => Date.now(), advance: async () => {} };

async function sessionFor(scenario: Scenario, server: ServerProcess) {
  await server.call('setClock', null);
  await server.call('knobs', { refresh: scenario.refuseRefresh ? '401' : 'ok' });
  const tokens = await server.call('login');
  if (scenario.session === 'expired') {
    tokens.accessToken = await server.call('signAccessToken', { ttlMs: -1000 });
  }
  if (scenario.session === 'revoked') await server.call('revoke', tokens.accessToken);
  return tokens;
}

export async function runRepetition(
  scenario: Scenario,
  client: ClientModule,
  server: ServerProcess,
): Promise<Run> {
  const tokens = await sessionFor(scenario, server);
  const clock = scenario.movesClock ? movingClock(server) : realClock;
  await server.call('drain');
  const { url, refreshUrl } = server;
  const app = await client.create({ url, refreshUrl, tokens, now: clock.now, fetch });
  try {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const outcomes = await scenario.drive(app, clock);
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const counters = await server.call('drain');
    const codes: Record<string, number> = {};
    for (const { ok, code = '?' } of outcomes) if (!ok) codes[code] = (codes[code] ?? 0) + 1;
    return {
      refreshes: counters.refreshes,
      maxConcurrentRefreshes: counters.maxConcurrentRefreshes,
      unauthorized: counters.unauthorized,
      httpRequests: counters.requests + counters.refreshes,
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
