/**
 * `npm run bench [-- options]`: every refresh scenario with ours and the four peers, S3, memory
 * and bundle; each client measured in fresh processes (`children.ts`), this process only
 * orchestrates.
 *
 *   --quick              CI: one round of 3 repetitions, N=200; S3 and memory of ours only.
 *                        Exact checks fail the run; timings are printed only.
 *   --only=S1x,S3        scenario ids (S1 S2 S1x S1r S4), S3, memory, bundle
 *   --clients=ours,urql  the clients to run
 *   --rounds=N --reps=N  rounds, and repetitions per client process
 *   --profile=S1x        a CPU profile of each client of --clients (default ours) in one scenario
 *
 * A full run of everything writes bench/results.md (and results.json, which git ignores); any
 * other run writes bench/results.tmp.*. Exits 1 when a check fails (`checks.ts`).
 */
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { buildForChildren, legacyInstalled } from './build.js';
import { measureBundles } from './bundle.js';
import * as checks from './checks.js';
import { inChild, root } from './children.js';
import { BARE, CLIENTS, OURS } from './clients/catalog.js';
import type { MemoryRow } from './memory.js';
import type { OverheadRow } from './overhead.js';
import { type Results, toMarkdown } from './report.js';
import { measureScenario } from './rounds.js';
import { scenarioKey, scenarios } from './scenarios.js';

const args = process.argv.slice(2);
const option = (name: string) =>
  args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.includes('--quick');
const only = option('only')?.toLowerCase().split(',');
const picked = option('clients')?.split(',');
const profiled = option('profile');
const wanted = (key: string) => !only || only.includes(key.toLowerCase());

const ROUNDS = Number(option('rounds')) || (quick ? 1 : 4);
const REPETITIONS = Number(option('reps')) || (quick ? 3 : 5);
const LARGE = quick ? 200 : 500;
const S3 = quick ? { queries: 2000, repetitions: 3 } : { queries: 5000, repetitions: 5 };

const clients = CLIENTS.filter(
  ({ name }) => (name !== 'legacy' || legacyInstalled) && (!picked || picked.includes(name)),
);
const names = clients.map((client) => client.name);
const started = performance.now();
const log = (line: string) =>
  process.stderr.write(`bench: ${line} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);

async function profile(what: string): Promise<void> {
  const scenario = scenarios(LARGE).find(
    (candidate) => scenarioKey(candidate.id) === what.toLowerCase(),
  );
  if (!scenario) throw new Error(`bench: no scenario ${what}`);
  for (const client of picked ?? [OURS]) {
    const task = { kind: 'profile', scenario: scenario.id, large: LARGE, client } as const;
    process.stdout.write(
      `== ${scenario.id}, ${client}: ${await inChild<string>({ ...task, repetitions: REPETITIONS })}\n`,
    );
  }
}

async function bench(): Promise<Results> {
  const results: Results = {
    header: '',
    quick,
    clients: [...clients, BARE],
    scenarios: [],
    overhead: [],
    memory: [],
    bundles: [],
    checks: [],
    notes: legacyInstalled ? [] : ['legacy skipped: `npm run bench:install` installs bench/legacy'],
  };
  const list = scenarios(LARGE).filter((scenario) => wanted(scenarioKey(scenario.id)));
  for (const scenario of list) {
    const result = await measureScenario(scenario, names, {
      rounds: ROUNDS,
      repetitions: REPETITIONS,
      large: LARGE,
    });
    results.scenarios.push(result);
    results.checks.push(...checks.scenarioChecks(scenario, result));
    log(`${scenario.id} done`);
  }
  if (wanted('S3') && names.includes(OURS)) {
    // The bare client against itself: how far from 0 "added" lands by chance.
    for (const client of quick ? [OURS] : [...names, BARE.name]) {
      results.overhead.push(await inChild<OverheadRow>({ kind: 'overhead', client, ...S3 }));
    }
    results.checks.push(...checks.overheadChecks(results.overhead));
    log('S3 done');
  }
  if (wanted('memory') && names.includes(OURS)) {
    const holding = clients.filter((client) => client.holdsOperations).map(({ name }) => name);
    for (const client of quick ? [OURS] : [BARE.name, ...holding]) {
      results.memory.push(await inChild<MemoryRow>({ kind: 'memory', client }));
    }
    results.checks.push(...checks.memoryChecks(results.memory));
    log('memory done');
  }
  if (wanted('bundle')) {
    const { entries, rows } = await measureBundles(names);
    results.bundles = rows;
    results.checks.push(...checks.sizeChecks(entries));
  }
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  results.header =
    `Node ${process.version} · ${cpus().length} × ${cpu} · ${quick ? '`--quick`' : 'full'} run: ` +
    `${ROUNDS} round${ROUNDS > 1 ? 's' : ''} of ${REPETITIONS} repetitions per client process, ` +
    `N=${LARGE}; S3 ${S3.repetitions} × ${S3.queries} queries · ` +
    `${((performance.now() - started) / 1000).toFixed(0)} s`;
  return results;
}

await buildForChildren();
if (profiled) {
  await profile(profiled);
} else {
  const results = await bench();
  const markdown = toMarkdown(results, scenarios(LARGE));
  process.stdout.write(markdown);
  // Only a full run of everything replaces bench/results.md; any other goes to untracked files.
  const partial = quick || only || picked || option('rounds') || option('reps');
  const name = partial ? 'results.tmp' : 'results';
  await writeFile(`${root}bench/${name}.md`, markdown);
  await writeFile(`${root}bench/${name}.json`, `${JSON.stringify(results, null, 2)}\n`);
  const failed = results.checks.filter((check) => checks.failing(check, quick));
  if (failed.length) {
    process.stderr.write(`bench: failed: ${failed.map((check) => check.id).join(', ')}\n`);
    process.exitCode = 1;
  }
}
