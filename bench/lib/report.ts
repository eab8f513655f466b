import type { Results } from './results.js';
import type { Run } from './scenarios.js';
import { cell, type Stat, stat } from './stats.js';

const COLUMNS: [string, (r: Run) => number][] = [
  ['Refreshes', (r) => r.refreshes],
  ['Max concurrent refreshes', (r) => r.maxConcurrentRefreshes],
  ['401s', (r) => r.unauthorized],
  ['HTTP requests', (r) => r.httpRequests],
  ['Ops in error', (r) => r.errors],
  ['Logouts', (r) => r.logouts],
];

const table = (head: string[], rows: string[][]) =>
  [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');

/** Error codes with their median count over the repetitions, e.g. `SESSION_EXPIRED × 50`. */
function codes(runs: Run[]): string {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.codes)))].sort();
  return (
    names.map((c) => `${c} × ${stat(runs.map((r) => r.codes[c] ?? 0)).median}`).join(', ') || '–'
  );
}

export function toMarkdown(res: Results): string {
  const out: string[] = [];
  out.push(
    `Run of ${res.date.slice(0, 16).replace('T', ' ')} UTC · Node ${res.node} · ${res.cpus} cores (${res.cpuModel}) · ` +
      `${res.quick ? 'quick' : 'full'} run, ${res.reps} repetitions · load average ${res.load[0].toFixed(1)} → ${res.load[1].toFixed(1)} · ` +
      `${(res.durationMs / 1000).toFixed(0)} s`,
  );
  if (res.scenarios.length) {
    out.push(
      '',
      `### Refresh scenarios: median (min–max) of ${res.reps} runs (S1: ${res.s1Reps.small} at N=50, ${res.s1Reps.large} above), refresh latency ${res.refreshLatencyMs} ms`,
      '',
      'S1 expired token, N concurrent queries · S2 token expires while 200 queries run 10 at a time · ' +
        'S1x token revoked by the server · S1r single-use refresh tokens · S4 refresh endpoint answers 401. ' +
        'HTTP requests = GraphQL requests + refresh calls. The test server runs on a worker thread of ' +
        'the bench process, as a server runs elsewhere; CPU ms = the whole process (clients and ' +
        'server), less sensitive than wall time to other work on the machine.',
      '',
      table(
        ['Scenario', 'Client', ...COLUMNS.map(([h]) => h), 'Wall ms', 'CPU ms', 'Errors seen'],
        res.scenarios.flatMap((sc) =>
          sc.rows.map((row) => [
            sc.id,
            row.client,
            ...COLUMNS.map(([, f]) => cell(stat(row.runs.map(f)))),
            cell(stat(row.runs.map((r) => r.wallMs))),
            cell(stat(row.runs.map((r) => r.cpuMs))),
            codes(row.runs),
          ]),
        ),
      ),
    );
  }
  if (res.overhead.length) {
    out.push(
      '',
      '### S3: happy-path overhead, sequential queries against an in-process mock `fetch`',
      '',
      'CPU µs per operation, median (min–max) over repetitions, each client (and the noise floor) in ' +
        'a process of its own. In each repetition the client and ' +
        'its bare client run in alternating slices of 50 queries, and each is read from its lower-decile ' +
        'slice (the least disturbed by other work on the machine). Ours and the blog links run ' +
        'compiled by esbuild, as published code runs, not through tsx.',
      '',
      table(
        ['Client', 'Bare client', 'µs/op', 'Bare µs/op', 'Added µs/op', 'Ratio'],
        res.overhead.map((r) => [
          r.name,
          r.base,
          cell(r.us, 1),
          cell(r.bareUs, 1),
          cell(r.addedUs, 1),
          `× ${r.ratio.toFixed(3)}`,
        ]),
      ),
    );
  }
  if (res.ws) {
    const w = res.ws;
    const ms = (s: Stat) => `${cell(s, 1)} ms`;
    out.push(
      '',
      `### S5: graphql-ws restart after a token change (ours), median (min–max) of ${w.runs}`,
      '',
      `A subscription ticking every ${w.tickIntervalMs} ms; \`manager.refresh()\` with ${w.refreshLatencyMs} ms refresh latency.`,
      '',
      table(
        ['Measure', 'Time'],
        [
          ['token change (`tokens` event) → first event on the new socket', ms(w.fromTokensMs)],
          ['`refresh()` call → first event on the new socket', ms(w.fromRefreshCallMs)],
          ['the refresh alone (call → `tokens` event)', ms(w.refreshMs)],
          ['baseline: cold subscribe on a fresh client → first event', ms(w.coldSubscribeMs)],
          ['errors seen by the subscription', String(w.errors)],
        ],
      ),
    );
  }
  if (res.bundles.length) {
    out.push(
      '',
      '### Bundle: esbuild, minified, peers external, gzip level 9',
      '',
      table(
        ['Client', 'Own min', 'Own gzip', 'With deps min', 'With deps gzip', 'Counted'],
        res.bundles.map((b) => [
          b.name,
          `${b.own.min} B`,
          `${b.own.gzip} B`,
          `${b.withDeps.min} B`,
          `${b.withDeps.gzip} B`,
          b.note ?? '',
        ]),
      ),
    );
  }
  if (res.targets.length) {
    out.push('', '### Targets for ours', '');
    for (const t of res.targets) {
      const mark = t.ok ? '✅' : '❌';
      out.push(`- ${mark} ${t.id}: ${t.target} — ${t.actual}`);
    }
  }
  if (res.notes.length) out.push('', ...res.notes.map((n) => `> ${n}`));
  return `${out.join('\n')}\n`;
}
