/**
 * One scenario over rounds: in each round every client runs its repetitions in a fresh process of
 * its own, one client after another, in an order reversed every other round. Ours is compared
 * with a peer round by round (both met the same load), and the median of those ratios is the
 * figure.
 */
import { inChild, type ScenarioTaskOptions } from './children.js';
import type { Run, Scenario } from './scenarios.js';
import { type Spread, spread } from './stats.js';

export interface ClientRuns {
  client: string;
  /** The repetitions of each round's process. */
  rounds: Run[][];
}

export interface ScenarioResult {
  id: string;
  title: string;
  clients: ClientRuns[];
}

export async function measureScenario(
  scenario: Scenario,
  clients: string[],
  { rounds, ...options }: ScenarioTaskOptions & { rounds: number },
): Promise<ScenarioResult> {
  const runs = clients.map((client) => ({ client, rounds: [] as Run[][] }));
  for (let round = 0; round < rounds; round++) {
    // Reversed every other round: no client always runs first, or always after the same other.
    for (const entry of round % 2 ? [...runs].reverse() : runs) {
      const task = { scenario: scenario.id, client: entry.client, ...options };
      entry.rounds.push(await inChild<Run[]>({ kind: 'scenario', ...task }));
    }
  }
  return { id: scenario.id, title: scenario.title, clients: runs };
}

const medianWall = (runs: readonly Run[]) => spread(runs.map((run) => run.wallMs)).median;

/** Per round, ours' median wall ÷ the peer's; their median and spread over the rounds. */
export function ratio(ours: ClientRuns, peer: ClientRuns): Spread {
  return spread(
    ours.rounds.map((runs, round) => medianWall(runs) / medianWall(peer.rounds[round] ?? [])),
  );
}
