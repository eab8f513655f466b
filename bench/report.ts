/**
 * The markdown of a run: printed, and written to `bench/results.md` by a full run. How each
 * figure is taken is `docs/performance.md`'s; the file says only what its cells are.
 */
import { type Check, correct, failing } from './checks.js';
import { OURS } from './clients/load.js';
import type { MemoryRow } from './memory.js';
import type { OverheadRow } from './overhead.js';
import { ratio, type ScenarioResult } from './rounds.js';
import { REFRESH_LATENCY_MS, type Run, type Scenario } from './scenarios.js';
import { cell, spread } from './stats.js';

export interface Results {
  /** Node, CPUs, what was run. */
  header: string;
  quick: boolean;
  scenarios: ScenarioResult[];
  overhead: OverheadRow[];
  memory: MemoryRow[];
  checks: Check[];
}

const COLUMNS: [string, (run: Run) => number][] = [
  ['Refreshes', (run) => run.refreshes],
  ['At once', (run) => run.maxConcurrentRefreshes],
  ['401s', (run) => run.unauthorized],
  ['Requests', (run) => run.httpRequests],
  ['Errors', (run) => run.errors],
  ['Logouts', (run) => run.logouts],
  ['Wall ms', (run) => run.wallMs],
  ['CPU ms', (run) => run.cpuMs],
];

/** Error codes with their median count over the repetitions, e.g. `SESSION_EXPIRED × 50`. */
function codes(runs: Run[]): string {
  const names = [...new Set(runs.flatMap((run) => Object.keys(run.codes)))].sort();
  const median = (code: string) => spread(runs.map((run) => run.codes[code] ?? 0)).median;
  return names.map((code) => `${code} × ${median(code)}`).join(', ') || '–';
}

/** A heading, what its cells are, and a table; nothing when there are no rows. */
function section(title: string, cells: string, head: string[], rows: string[][]): string[] {
  if (!rows.length) return [];
  const lines = [head, head.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`);
  return ['', `## ${title}`, '', cells, '', ...lines];
}

function scenarioRows(result: ScenarioResult, scenario: Scenario): string[][] {
  const ours = result.clients.find((entry) => entry.client === OURS);
  return result.clients.map((entry) => {
    const runs = entry.rounds.flat();
    const versus = ours && entry !== ours ? cell(ratio(ours, entry), 2) : '–';
    return [
      result.id,
      entry.client,
      ...COLUMNS.map(([, value]) => cell(spread(runs.map(value)))),
      versus !== '–' && correct(entry, scenario) ? `**${versus}**` : versus,
      codes(runs),
    ];
  });
}

const mark = (check: Check, quick: boolean) =>
  check.ok ? '✅' : failing(check, quick) ? '❌' : 'ℹ️';

export function toMarkdown(results: Results, scenarios: Scenario[]): string {
  const { quick } = results;
  const scenarioOf = (id: string) => scenarios.find((scenario) => scenario.id === id);
  const out = [
    '# Bench results',
    '',
    `${results.header}. What the cells are and how they are taken: [docs/performance.md](../docs/performance.md#current-figures).`,
    ...section(
      `Refresh scenarios (refresh latency ${REFRESH_LATENCY_MS} ms)`,
      `${results.scenarios.map((result) => `**${result.id}**: ${result.title}.`).join(' ')} ` +
        'Cells: median (min–max) of all repetitions. **Ours ÷ it**: median (min–max) over the ' +
        "rounds of ours' median wall ÷ its median wall; bold for the correct peers.",
      ['Scenario', 'Client', ...COLUMNS.map(([head]) => head), 'Ours ÷ it', 'Errors seen'],
      results.scenarios.flatMap((result) => {
        const scenario = scenarioOf(result.id);
        return scenario ? scenarioRows(result, scenario) : [];
      }),
    ),
    ...section(
      'S3: cost per query on the happy path (valid token, in-process `fetch`)',
      'CPU µs per query, median (min–max) of the repetitions. The bare row is the noise floor.',
      ['Client', 'µs/query', 'Bare µs/query', 'Added'],
      results.overhead.map(({ name, us, bareUs, addedPercent }) => [
        name,
        cell(us, 1),
        cell(bareUs, 1),
        `${cell(addedPercent, 1)} %`,
      ]),
    ),
    ...section(
      'Memory: operations held during a slow refresh',
      'Heap after a forced GC, over the heap before the operations started.',
      ['Client', 'Held operations', 'Heap per held operation', 'Heap left once settled', 'Errors'],
      results.memory.map((row) => [
        row.name,
        String(row.operations),
        `${row.heldBytesPerOperation.toFixed(0)} B`,
        `${row.retainedBytes.toFixed(0)} B`,
        String(row.errors),
      ]),
    ),
  ];
  if (results.checks.length) {
    const failingOnes = quick ? 'Exact checks' : 'Exact checks and timing goals';
    out.push('', '## Checks', '', `${failingOnes} fail this run (❌); the others print (ℹ️).`, '');
    for (const check of results.checks) {
      out.push(`- ${mark(check, quick)} ${check.id}: ${check.goal} — ${check.actual}`);
    }
  }
  return `${out.join('\n')}\n`;
}
