/** What one run measured (`bench/results.json`) and its markdown (`bench/results.md`, printed). */
import type { EntrySize } from '../scripts/size.mjs';
import type { BundleRow } from './bundle.js';
import { type Check, failing } from './gates.js';
import type { MemoryRow } from './memory.js';
import type { OverheadRow } from './overhead.js';
import { REFRESH_LATENCY_MS, type Run } from './scenarios.js';
import { cell, type Spread, spread } from './stats.js';
import type { WsRestartResult } from './ws-restart.js';

export interface ScenarioResult {
  id: string;
  title: string;
  rows: { client: string; runs: Run[] }[];
}

export interface Results {
  date: string;
  node: string;
  cpus: string;
  /** 1-minute load average at start and end: other work on the machine moves timings. */
  load: [number, number];
  quick: boolean;
  clients: { name: string; base: string; wiring: string }[];
  scenarios: ScenarioResult[];
  overhead: OverheadRow[];
  memory: MemoryRow[];
  ws: WsRestartResult | null;
  sizes: EntrySize[];
  bundles: BundleRow[];
  checks: Check[];
  notes: string[];
  durationMs: number;
}

const SCENARIO_COLUMNS: [string, (run: Run) => number][] = [
  ['Refreshes', (run) => run.refreshes],
  ['Max concurrent refreshes', (run) => run.maxConcurrentRefreshes],
  ['401s', (run) => run.unauthorized],
  ['HTTP requests', (run) => run.httpRequests],
  ['Ops in error', (run) => run.errors],
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
  return ['', `### ${title}`, '', how, '', ...lines];
}

function mark(check: Check, quick: boolean): string {
  if (check.ok) return '✅';
  if (failing(check, quick)) return '❌';
  return check.kind === 'aim' ? '⚠️' : 'ℹ️';
}

export function toMarkdown(results: Results): string {
  const { scenarios, overhead, memory, ws, bundles, quick } = results;
  const bytes = (value: number) => `${value.toFixed(0)} B`;
  const ms = (value: Spread) => `${cell(value, 1)} ms`;
  const out = [
    `Run of ${results.date.slice(0, 16).replace('T', ' ')} UTC · Node ${results.node} · ${results.cpus} · ` +
      `${quick ? '--quick' : 'full'} run · load average ${results.load[0].toFixed(1)} → ` +
      `${results.load[1].toFixed(1)} · ${(results.durationMs / 1000).toFixed(0)} s`,
    ...section(
      'Clients',
      'Each wired as its docs show (`bench/clients/`).',
      ['Client', 'On', 'Wiring'],
      results.clients.map((client) => [client.name, client.base, client.wiring]),
    ),
    ...section(
      `Refresh scenarios: median (min–max), refresh latency ${REFRESH_LATENCY_MS} ms`,
      `${scenarios.map((result) => `**${result.id}** ${result.title} (${result.rows[0]?.runs.length} runs).`).join(' ')} ` +
        'HTTP requests = GraphQL requests + refresh calls. The test server runs on a thread of ' +
        'its own; CPU ms counts the whole process (clients and server).',
      ['Scenario', 'Client', ...SCENARIO_COLUMNS.map(([head]) => head), 'Errors seen'],
      scenarios.flatMap((result) =>
        result.rows.map((row) => [
          result.id,
          row.client,
          ...SCENARIO_COLUMNS.map(([, value]) => cell(spread(row.runs.map(value)))),
          codes(row.runs),
        ]),
      ),
    ),
    ...section(
      'S3: cost per query on the happy path (valid token, in-process `fetch`)',
      'CPU µs per query, median (min–max) of the repetitions; each client in a fresh process, ' +
        'in alternating slices of 50 queries with its bare client, read from its lower-decile slice.',
      ['Client', 'Bare client', 'µs/query', 'Bare µs/query', 'Added µs/query'],
      overhead.map(({ name, base, us, bareUs, addedUs }) => [
        name,
        base,
        ...[us, bareUs, addedUs].map((value) => cell(value, 1)),
      ]),
    ),
    ...section(
      'Memory: operations held during a slow refresh',
      'Heap of a fresh process after a forced GC, over the heap before the operations started. ' +
        'The bare client holds its operations in `fetch`: what Apollo Client 4 keeps per operation.',
      ['Client', 'Held operations', 'Heap per held operation', 'Heap left once settled', 'Errors'],
      memory.map((row) => [
        row.name,
        String(row.operations),
        bytes(row.heldBytesPerOperation),
        bytes(row.retainedBytes),
        String(row.errors),
      ]),
    ),
    ...section(
      `S5: graphql-ws across ${ws?.restarts} token changes (ours)`,
      `A subscription ticking every ${ws?.tickIntervalMs} ms; median (min–max).`,
      ['Measure', 'Time'],
      ws
        ? [
            ['new token (`tokens` event) → first event on the new socket', ms(ws.fromTokensMs)],
            ['`refresh()` call → first event on the new socket', ms(ws.fromRefreshCallMs)],
            ['a fresh client: subscribe → first event', ms(ws.coldSubscribeMs)],
          ]
        : [],
    ),
    ...section(
      'Bundle',
      'esbuild, minified, gzip level 9, the GraphQL client and its peers left out (`scripts/size.mjs`).',
      [
        'Client',
        'Own min',
        'Own gzip',
        'With dependencies min',
        'With dependencies gzip',
        'Counted',
      ],
      bundles.map(({ name, own, withDependencies, counted }) => [
        name,
        ...[own.min, own.gzip, withDependencies.min, withDependencies.gzip].map(bytes),
        counted,
      ]),
    ),
  ];
  if (results.checks.length) {
    out.push(
      '',
      '### Checks',
      '',
      quick
        ? 'Exact ones (❌) fail this run; timings (ℹ️) are printed only; aims (⚠️) never fail.'
        : 'Exact ones and timing goals (❌) fail this run; aims (⚠️) never fail.',
      '',
      ...results.checks.map(
        (check) => `- ${mark(check, quick)} ${check.id}: ${check.goal} — ${check.actual}`,
      ),
    );
  }
  if (results.notes.length) out.push('', ...results.notes.map((note) => `> ${note}`));
  return `${out.join('\n')}\n`;
}
