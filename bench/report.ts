/** The markdown of a run: `bench/results.md`, and what `npm run bench` prints. */
import type { Results } from './results.js';
import { REFRESH_LATENCY_MS, type Run } from './scenarios.js';
import { cell, type Spread, spread } from './stats.js';

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

export function toMarkdown(results: Results): string {
  const { scenarios, overhead, memory, ws, bundles } = results;
  const ms = (value: Spread) => `${cell(value, 1)} ms`;
  const out = [
    `Run of ${results.date.slice(0, 16).replace('T', ' ')} UTC · Node ${results.node} · ${results.cpus} · ` +
      `${results.quick ? '--quick' : 'full'} run · load average ${results.load[0].toFixed(1)} → ` +
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
        `${row.heldBytesPerOperation.toFixed(0)} B`,
        `${row.retainedBytes} B`,
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
      bundles.map((row) => [
        row.name,
        `${row.own.min} B`,
        `${row.own.gzip} B`,
        `${row.withDependencies.min} B`,
        `${row.withDependencies.gzip} B`,
        row.counted,
      ]),
    ),
  ];
  if (results.checks.length) {
    out.push('', '### Checks', '');
    out.push(
      results.quick
        ? 'Exact ones (❌) fail this run; timings (ℹ️) are printed only; aims (⚠️) never fail.'
        : 'Exact ones and timing goals (❌) fail this run; aims (⚠️) never fail.',
      '',
    );
    for (const check of results.checks) {
      const failing = check.kind === 'exact' || (check.kind === 'timing' && !results.quick);
      const mark = check.ok ? '✅' : failing ? '❌' : check.kind === 'aim' ? '⚠️' : 'ℹ️';
      out.push(`- ${mark} ${check.id}: ${check.goal} — ${check.actual}`);
    }
  }
  if (results.notes.length) out.push('', ...results.notes.map((note) => `> ${note}`));
  return `${out.join('\n')}\n`;
}
