/**
 * One client's process (compiled; see `children.ts`): performs the task given as JSON in its
 * argument with the one client it names, and prints the result as JSON on its last line.
 */
import { startServerProcess } from '../fixtures/server/process.js';
import type { Task } from './children.js';
import { loadClient } from './clients/load.js';
import type { ClientModule } from './clients/types.js';
import { measureMemory } from './memory.js';
import { measureOverhead } from './overhead.js';
import { profile } from './profile.js';
import { runRepetition } from './repetitions.js';
import { REFRESH_LATENCY_MS, type Run, scenarios } from './scenarios.js';

/** The test server's entry, compiled beside this file. */
const serverEntry = new URL('./server-process.mjs', import.meta.url);

async function perform(task: Task, client: ClientModule): Promise<unknown> {
  if (task.kind === 'overhead') return measureOverhead(task.client, client, task);
  if (task.kind === 'memory') return measureMemory(task.client, client, serverEntry);
  const scenario = scenarios(task.large).find((candidate) => candidate.id === task.scenario);
  if (!scenario) throw new Error(`bench: no scenario ${task.scenario}`);
  const server = await startServerProcess(
    { refreshLatencyMs: REFRESH_LATENCY_MS, ...scenario.server },
    serverEntry,
  );
  const repetitions = async () => {
    const runs: Run[] = [];
    for (let index = 0; index < task.repetitions; index++) {
      runs.push(await runRepetition(scenario, client, server));
    }
    return runs;
  };
  try {
    if (task.kind === 'scenario') return await repetitions();
    return await profile(`${scenario.id} ${task.client}`, repetitions);
  } finally {
    await server.close();
  }
}

const task = JSON.parse(process.argv[2] ?? '{}') as Task;
const result = await perform(task, await loadClient(task.client));
// Exits at once: a client may keep a timer or a socket alive after `dispose`.
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
