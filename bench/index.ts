/**
 * `npm run bench [-- options]`: the refresh scenarios with ours and the four peers, S3, memory and
 * the size budgets. Every measurement runs in a fresh process (`children.ts`); this one
 * orchestrates.
 *
 *   --quick              CI: one round of 3 repetitions, N=200; S3 and memory of ours only.
 *                        Exact checks fail the run; timings are printed only.
 *   --only=S1x,S3        scenario ids (S0 S1 S1x S4), S3, memory, size
 *   --clients=ours,urql  the clients to run
 *   --rounds=N --reps=N  rounds, and repetitions per client process
 *   --profile=S1x        a CPU profile of each client of --clients (default ours) in one scenario
 *   --cold               no happy-path queries before a scenario: a process's first operations
 *
 * A full run of everything writes bench/results.md (and results.json, which git ignores); any
 * other run writes bench/results.tmp.*. Exits 1 when a check fails (`checks.ts`).
 */
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { measureEntries } from '../scripts/size.mjs';
import * as checks from './checks.js';
import { buildForChildren, inChild, legacyInstalled, root } from './children.js';
import { BARE, CLIENTS, HOLDING, ON_APOLLO_4, OURS } from './clients/load.js';
import type { MemoryRow } from './memory.js';
import type { OverheadRow } from './overhead.js';
import { type Results, toMarkdown } from './report.js';
import { measureScenario } from './rounds.js';
import { scenarios } from './scenarios.js';

const args = process.argv.slice(2);
const option = (name: string) =>
  args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.includes('--quick');
const only = option('only')?.toLowerCase().split(',');
const picked = option('clients')?.split(',');
/** A scenario by the first word of its id: `--only=S1` picks S1 N=500, not S1x. */
const keyOf = (id: string) => (id.split(' ')[0] ?? id).toLowerCase();
const wanted = (id: string) => !only || only.includes(keyOf(id));

const ROUNDS = Number(option('rounds')) || (quick ? 1 : 4);
const REPETITIONS = Number(option('reps')) || (quick ? 3 : 5);
const LARGE = quick ? 200 : 500;
const S3 = quick ? { queries: 2000, repetitions: 3 } : { queries: 5000, repetitions: 5 };
const WARM_UP = args.includes('--cold') ? 0 : 500;
const task = { large: LARGE, repetitions: REPETITIONS, warmUp: WARM_UP };

if (!legacyInstalled) process.stderr.write('bench: legacy skipped (`npm run bench:install`)\n');
const names = CLIENTS.filter(
  (name) => (name !== 'legacy' || legacyInstalled) && (!picked || picked.includes(name)),
);
const started = performance.now();
/** Other work on the machine moves timings: the 1-minute load average, at the start and end. */
const loadAtStart = loadavg()[0] ?? 0;
const seconds = () => ((performance.now() - started) / 1000).toFixed(0);

async function profile(what: string): Promise<void> {
  const id = scenarios(LARGE).find((scenario) => keyOf(scenario.id) === keyOf(what))?.id ?? what;
  for (const client of picked ?? [OURS]) {
    const summary = await inChild<string>({ kind: 'profile', scenario: id, client, ...task });
    process.stdout.write(`== ${id}, ${client}: ${summary}\n`);
  }
}

async function bench(): Promise<Results> {
  const results: Results = {
    header: '',
    quick,
    scenarios: [],
    overhead: [],
    memory: [],
    checks: [],
  };
  for (const scenario of scenarios(LARGE).filter(({ id }) => wanted(id))) {
    const result = await measureScenario(scenario, names, { rounds: ROUNDS, ...task });
    results.scenarios.push(result);
    results.checks.push(...checks.scenarioChecks(scenario, result));
    process.stderr.write(`bench: ${scenario.id} done (${seconds()} s)\n`);
  }
  if (wanted('S3') && names.includes(OURS)) {
    const onApollo4 = names.filter((name) => ON_APOLLO_4.includes(name));
    for (const client of quick ? [OURS] : [...onApollo4, BARE]) {
      results.overhead.push(await inChild<OverheadRow>({ kind: 'overhead', client, ...S3 }));
    }
    results.checks.push(...checks.overheadChecks(results.overhead));
  }
  if (wanted('memory') && names.includes(OURS)) {
    const holding = names.filter((name) => HOLDING.includes(name));
    for (const client of quick ? [OURS] : [BARE, ...holding]) {
      results.memory.push(await inChild<MemoryRow>({ kind: 'memory', client }));
    }
    results.checks.push(...checks.memoryChecks(results.memory));
  }
  if (wanted('size')) results.checks.push(...checks.sizeChecks(await measureEntries()));
  results.header =
    `Node ${process.version} · ${cpus().length} × ${cpus()[0]?.model.trim()} · ` +
    `${quick ? '`--quick`' : 'full'} run: ${ROUNDS} × ${REPETITIONS} repetitions (rounds × repetitions) ` +
    `per client process, after ${WARM_UP} happy-path queries, N=${LARGE}; ` +
    `S3 ${S3.repetitions} × ${S3.queries} queries · ${seconds()} s · ` +
    `load average ${loadAtStart.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)}`;
  return results;
}

await buildForChildren();
if (option('profile')) {
  await profile(option('profile') ?? '');
} else {
  const results = await bench();
  const markdown = toMarkdown(results, scenarios(LARGE));
  process.stdout.write(markdown);
  const partial = quick || only || picked || option('rounds') || option('reps') || !WARM_UP;
  const name = `${root}bench/${partial ? 'results.tmp' : 'results'}`;
  await writeFile(`${name}.md`, markdown);
  await writeFile(`${name}.json`, `${JSON.stringify(results, null, 2)}\n`);
  const failed = results.checks.filter((check) => checks.failing(check, quick));
  if (failed.length) {
    process.stderr.write(`bench: failed: ${failed.map((check) => check.id).join(', ')}\n`);
    process.exitCode = 1;
  }
}
