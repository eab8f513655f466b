/** The markdown of a run: printed, and written to `bench/results.md` by a full run. */
import type { Bytes } from '../scripts/size.mjs';
import type { BundleRow } from './bundle.js';
import { type Check, correct, failing } from './checks.js';
import { type ClientInfo, OURS } from './clients/catalog.js';
import type { MemoryRow } from './memory.js';
import type { OverheadRow } from './overhead.js';
import { ratio, type ScenarioResult } from './rounds.js';
import { REFRESH_LATENCY_MS, type Run, type Scenario } from './scenarios.js';
import { cell, spread } from './stats.js';

export interface Results {
  /** Node, CPUs, what was run. */
  header: string;
  quick: boolean;
  clients: ClientInfo[];
  scenarios: ScenarioResult[];
  overhead: OverheadRow[];
  memory: MemoryRow[];
  bundles: BundleRow[];
  checks: Check[];
  notes: string[];
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

/** A heading, a line on how it was measured, and a table; nothing when there are no rows. */
function section(title: string, how: string, head: string[], rows: string[][]): string[] {
  if (!rows.length) return [];
  const lines = [head, head.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`);
  return ['', `## ${title}`, '', how, '', ...lines];
}

function scenarioRows(result: ScenarioResult, scenario: Scenario | undefined): string[][] {
  const ours = result.clients.find((entry) => entry.client === OURS);
  return result.clients.map((entry) => {
    const runs = entry.rounds.flat();
    const versus = ours && entry !== ours ? cell(ratio(ours, entry), 2) : '–';
    const rival = scenario && entry !== ours && correct(entry, scenario);
    return [
      result.id,
      entry.client,
      ...COLUMNS.map(([, value]) => cell(spread(runs.map(value)))),
      rival ? `**${versus}**` : versus,
      codes(runs),
    ];
  });
}

const bytes = (value: number) => `${value.toFixed(0)} B`;
const gzip = ({ min, gzip }: Bytes) => `${bytes(gzip)} (${bytes(min)} min)`;

function mark(check: Check, quick: boolean): string {
  if (check.ok) return '✅';
  return failing(check, quick) ? '❌' : 'ℹ️';
}

export function toMarkdown(results: Results, scenarios: Scenario[]): string {
  const { quick } = results;
  const baseOf = (name: string) => results.clients.find((client) => client.name === name)?.base;
  const out = [
    '# Bench results',
    '',
    results.header,
    ...section(
      'Clients',
      'Each wired as its docs show (`bench/clients/`).',
      ['Client', 'On', 'Wiring'],
      results.clients.map((client) => [client.name, client.base, client.wiring]),
    ),
    ...section(
      `Refresh scenarios (refresh latency ${REFRESH_LATENCY_MS} ms)`,
      `${results.scenarios.map((result) => `**${result.id}**: ${result.title}.`).join(' ')} ` +
        'Each cell: median (min–max) of every repetition of every round. Requests = GraphQL ' +
        'requests + refresh calls; CPU ms is the client process alone. **Ours ÷ it**: per round, ' +
        "ours' median wall ÷ its median wall; the median (min–max) over the rounds; in bold for " +
        'the correct peers (the counts ours must show), the ones the goals compare with.',
      ['Scenario', 'Client', ...COLUMNS.map(([head]) => head), 'Ours ÷ it', 'Errors seen'],
      results.scenarios.flatMap((result) =>
        scenarioRows(
          result,
          scenarios.find((scenario) => scenario.id === result.id),
        ),
      ),
    ),
    ...section(
      'S3: cost per query on the happy path (valid token, in-process `fetch`)',
      'CPU µs per query, median (min–max) of the repetitions; each client in a fresh process, ' +
        'in alternating slices of 50 queries with its bare client, read from its lower-decile slice.',
      ['Client', 'Bare client', 'µs/query', 'Bare µs/query', 'Added'],
      results.overhead.map(({ name, us, bareUs, addedPercent }) => [
        name,
        baseOf(name) ?? 'Apollo Client 4',
        cell(us, 1),
        cell(bareUs, 1),
        `${cell(addedPercent, 1)} %`,
      ]),
    ),
    ...section(
      'Memory: operations held during a slow refresh',
      'Heap of a fresh process after a forced GC, over the heap before the operations started. ' +
        'The bare client holds its operations in `fetch`: what Apollo Client 4 keeps per operation.',
      ['Client', 'Held operations', 'Heap per held operation', 'Heap left once settled', 'Errors'],
      results.memory.map((row) => [
        row.name,
        String(row.operations),
        bytes(row.heldBytesPerOperation),
        bytes(row.retainedBytes),
        String(row.errors),
      ]),
    ),
    ...section(
      'Bundle',
      'esbuild, minified, gzip level 9, the GraphQL client and its peers left out (`scripts/size.mjs`).',
      ['Client', 'Own gzip', 'With dependencies gzip', 'Counted'],
      results.bundles.map(({ name, own, withDependencies, counted }) => [
        name,
        gzip(own),
        gzip(withDependencies),
        counted,
      ]),
    ),
  ];
  if (results.checks.length) {
    out.push(
      '',
      '## Checks',
      '',
      quick
        ? 'Exact ones fail this run (❌); timing goals are printed only (ℹ️).'
        : 'Exact ones and timing goals fail this run (❌).',
      '',
      ...results.checks.map(
        (check) => `- ${mark(check, quick)} ${check.id}: ${check.goal} — ${check.actual}`,
      ),
    );
  }
  if (results.notes.length) out.push('', ...results.notes.map((note) => `> ${note}`));
  return `${out.join('\n')}\n`;
}
