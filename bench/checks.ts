/**
 * The checks of a run. Exact ones (counts, memory growth, bytes) do not move with the machine's
 * load and fail every run, `--quick` included. Timing goals (ratios to the peers and to bare
 * Apollo Client 4) fail a full run only; `--quick` prints them.
 */
import { type EntrySize, sizeLine } from '../scripts/size.mjs';
import { ONE_FUTURE, OURS } from './clients/load.js';
import type { MemoryRow } from './memory.js';
import type { OverheadRow } from './overhead.js';
import { type ClientRuns, ratio, type ScenarioResult } from './rounds.js';
import type { Counts, Scenario } from './scenarios.js';

export interface Check {
  id: string;
  goal: string;
  actual: string;
  ok: boolean;
  kind: 'exact' | 'timing';
}

/** Ours' wall ÷ the best correct peer's, at most; ÷ one-future's (the same core), at most 1. */
const WALL_GOAL = 1.05;
const OVERHEAD_GOAL_PERCENT = 5;
/**
 * Heap left per operation once 10,000 held operations settled: a forced GC leaves ±40 B of noise
 * here; anything an operation leaves behind that holds a closure or an Apollo Client entry shows
 * above it.
 */
const RETAINED_LIMIT_BYTES = 100;

const COUNTS = ['refreshes', 'unauthorized', 'httpRequests', 'errors', 'logouts'] as const;
const countsOf = (counts: Counts) =>
  `${counts.refreshes} refresh, ${counts.unauthorized} × 401, ${counts.httpRequests} requests, ${counts.errors} errors, ${counts.logouts} logouts`;

/** A client that shows the expected counts in every repetition of every round. */
export const correct = ({ rounds }: ClientRuns, { expected }: Scenario) =>
  rounds.flat().every((run) => COUNTS.every((key) => run[key] === expected[key]));

function wallChecks(scenario: Scenario, result: ScenarioResult, ours: ClientRuns): Check[] {
  const peers = result.clients
    .filter((entry) => entry !== ours && correct(entry, scenario))
    .map((entry) => ({ client: entry.client, ratio: ratio(ours, entry) }))
    .sort((a, b) => b.ratio.median - a.ratio.median);
  const sameCore = peers.filter((peer) => peer.client === ONE_FUTURE);
  return [
    ...peers.slice(0, 1).map((peer) => ({ peer, goal: WALL_GOAL, whom: 'the best correct peer' })),
    ...sameCore.map((peer) => ({ peer, goal: 1, whom: `${ONE_FUTURE}, the same core` })),
  ].map(({ peer: { client, ratio }, goal, whom }) => ({
    id: `${scenario.id} wall`,
    goal: `≤ ${goal.toFixed(2)} × ${whom} (median of the rounds' ratios)`,
    actual: `× ${ratio.median.toFixed(3)} of ${client} (rounds ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`,
    ok: ratio.median <= goal,
    kind: 'timing',
  }));
}

export function scenarioChecks(scenario: Scenario, result: ScenarioResult): Check[] {
  const ours = result.clients.find((entry) => entry.client === OURS);
  if (!ours) return [];
  const { expected, oursFailWith } = scenario;
  const runs = ours.rounds.flat();
  const ok =
    correct(ours, scenario) &&
    (!oursFailWith || runs.every((run) => run.codes[oursFailWith] === expected.errors));
  const counts: Check = {
    id: `${scenario.id} counts`,
    goal: `${countsOf(expected)}${oursFailWith ? `, all ${oursFailWith}` : ''}`,
    actual: ok ? 'in every repetition' : [...new Set(runs.map(countsOf))].join(' | '),
    ok,
    kind: 'exact',
  };
  return [counts, ...(scenario.wallGoal ? wallChecks(scenario, result, ours) : [])];
}

export const overheadChecks = (rows: OverheadRow[]): Check[] =>
  rows
    .filter((row) => row.name === OURS)
    .map(({ addedPercent, us, bareUs }) => ({
      id: 'S3',
      goal: `≤ +${OVERHEAD_GOAL_PERCENT} % per query over bare Apollo Client 4`,
      actual: `${addedPercent.median.toFixed(1)} % (${us.median.toFixed(1)} against ${bareUs.median.toFixed(1)} µs)`,
      ok: addedPercent.median <= OVERHEAD_GOAL_PERCENT,
      kind: 'timing',
    }));

export const memoryChecks = (rows: MemoryRow[]): Check[] =>
  rows
    .filter((row) => row.name === OURS)
    .map(({ operations, retainedBytes, errors }) => ({
      id: 'Memory',
      goal: `0 errors; ≤ ${RETAINED_LIMIT_BYTES} B per operation left once ${operations} held operations settled`,
      actual: `${errors} errors; ${(retainedBytes / operations).toFixed(0)} B per operation left`,
      ok: errors === 0 && retainedBytes <= RETAINED_LIMIT_BYTES * operations,
      kind: 'exact',
    }));

export const sizeChecks = (entries: EntrySize[]): Check[] =>
  entries
    .filter((size) => !size.skipped)
    .map((size) => ({
      id: `Size ${size.budget.entry}`,
      goal: 'within its budgets of scripts/size.mjs',
      actual: sizeLine(size).replace(/^size \S+\s+/, ''),
      ok: size.ok,
      kind: 'exact',
    }));

/** The checks that fail this run: exact ones always, timing goals in a full run. */
export const failing = (check: Check, quick: boolean) =>
  !check.ok && (check.kind === 'exact' || !quick);
