/**
 * The checks of a run. Exact ones (counts, memory growth, bytes) fail every run, `--quick`
 * included: they do not move with the load of the machine. Timing goals, ratios to the peers and
 * to bare Apollo Client 4, fail a full run only; `--quick` prints them.
 */
import { type EntrySize, sizeLine } from '../scripts/size.mjs';
import { ONE_FUTURE, OURS } from './clients/catalog.js';
import type { MemoryRow } from './memory.js';
import type { OverheadRow } from './overhead.js';
import { type ClientRuns, ratio, type ScenarioResult } from './rounds.js';
import type { Counts, Run, Scenario } from './scenarios.js';

export interface Check {
  id: string;
  goal: string;
  actual: string;
  ok: boolean;
  kind: 'exact' | 'timing';
}

/** Ours' wall time ÷ the best correct peer's, at most. */
const WALL_GOAL = 1.05;
/** Ours' wall time ÷ one-future's when it is correct: the same core, so at or below it. */
const SAME_CORE_GOAL = 1;
/** S3: at most this many % per query over bare Apollo Client 4. */
const OVERHEAD_GOAL_PERCENT = 5;
/**
 * Heap left once 10,000 held operations settled, per operation, beyond which it counts as growth.
 * Forced GC leaves ±40 B per operation of noise here, either sign, no trend over cycles; whatever
 * an operation leaves behind that holds a closure or an entry of Apollo Client shows above it.
 */
const RETAINED_LIMIT_BYTES_PER_OPERATION = 100;

const COUNTS: (keyof Counts)[] = ['refreshes', 'unauthorized', 'httpRequests', 'errors', 'logouts'];
const countsOf = (counts: Counts) =>
  `${counts.refreshes} refresh, ${counts.unauthorized} × 401, ${counts.httpRequests} requests, ${counts.errors} errors, ${counts.logouts} logouts`;
const matches = (run: Run, expected: Counts) => COUNTS.every((key) => run[key] === expected[key]);

/** A client that shows the expected counts in every repetition of every round. */
export const correct = (entry: ClientRuns, scenario: Scenario) =>
  entry.rounds.flat().every((run) => matches(run, scenario.expected));

function wallChecks(scenario: Scenario, result: ScenarioResult, ours: ClientRuns): Check[] {
  const peers = result.clients
    .filter((entry) => entry.client !== OURS && correct(entry, scenario))
    .map((entry) => ({ client: entry.client, ratio: ratio(ours, entry) }))
    .sort((a, b) => b.ratio.median - a.ratio.median);
  const best = peers[0];
  if (!best) return [];
  const against = (peer: (typeof peers)[number], goal: number, whom: string): Check => ({
    id: `${scenario.id} wall`,
    goal: `≤ ${goal.toFixed(2)} × ${whom} (median of the rounds' ratios)`,
    actual: `× ${peer.ratio.median.toFixed(3)} of ${peer.client} (rounds ${peer.ratio.min.toFixed(2)}–${peer.ratio.max.toFixed(2)})`,
    ok: peer.ratio.median <= goal,
    kind: 'timing',
  });
  const sameCore = peers.find((peer) => peer.client === ONE_FUTURE);
  return [
    against(best, WALL_GOAL, 'the best correct peer'),
    ...(sameCore ? [against(sameCore, SAME_CORE_GOAL, `${ONE_FUTURE}, the same core`)] : []),
  ];
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

export function overheadChecks(rows: OverheadRow[]): Check[] {
  const ours = rows.find((row) => row.name === OURS);
  if (!ours) return [];
  const added = ours.addedPercent.median;
  return [
    {
      id: 'S3',
      goal: `≤ +${OVERHEAD_GOAL_PERCENT} % per query over bare Apollo Client 4`,
      actual: `${added >= 0 ? '+' : ''}${added.toFixed(1)} % (${ours.us.median.toFixed(1)} against ${ours.bareUs.median.toFixed(1)} µs)`,
      ok: added <= OVERHEAD_GOAL_PERCENT,
      kind: 'timing',
    },
  ];
}

export function memoryChecks(rows: MemoryRow[]): Check[] {
  const ours = rows.find((row) => row.name === OURS);
  if (!ours) return [];
  const left = ours.retainedBytes / ours.operations;
  return [
    {
      id: 'Memory',
      goal: `0 errors; ≤ ${RETAINED_LIMIT_BYTES_PER_OPERATION} B per operation left once ${ours.operations} held operations settled`,
      actual: `${ours.errors} errors; ${left.toFixed(0)} B per operation left`,
      ok: ours.errors === 0 && left <= RETAINED_LIMIT_BYTES_PER_OPERATION,
      kind: 'exact',
    },
  ];
}

export const sizeChecks = (entries: EntrySize[]): Check[] =>
  entries.flatMap((size) =>
    size.skipped
      ? []
      : [
          {
            id: `Size ${size.budget.entry}`,
            goal: 'within its budgets of scripts/size.mjs',
            actual: sizeLine(size).replace(/^size \S+\s+/, ''),
            ok: size.ok,
            kind: 'exact' as const,
          },
        ],
  );

/** The checks that fail this run: exact ones always, timing goals in a full run. */
export const failing = (check: Check, quick: boolean) =>
  !check.ok && (check.kind === 'exact' || !quick);
