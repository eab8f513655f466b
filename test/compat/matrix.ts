import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type CellResult, type CellSpec, runCell } from './cell.js';
import { SERVER_LABELS } from './stack.js';
import { SKEWS_MS, skewLabel } from './world.js';

/** Where each matrix file writes its rows (gitignored): the source of docs/compatibility.md. */
const RESULTS_DIR = new URL('./.results/', import.meta.url);

const serverLabel = (row: CellResult) =>
  row.wsRestart ? 'graphql-ws 6 server restarted (down ~5 s)' : SERVER_LABELS[row.server];

/** The rows as a Markdown table: server × token endpoint × clock → what happened. */
export function formatMatrix(rows: readonly CellResult[]): string {
  const lines = [
    '| server | token endpoint | device clock | refreshes / lifetime | failed ops | logouts | mutations ≠ once | subscription ticking | first failures |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const perLifetime = (row.refreshes / row.lifetimes).toFixed(2);
    const stopped = row.stoppedEarly
      ? ` (stopped after ${row.lifetimes.toFixed(1)} lifetimes)`
      : '';
    lines.push(
      `| ${serverLabel(row)} | ${row.rotation} | ${row.clock} | ${perLifetime}${stopped} | ${row.failed}/${row.operations} | ${row.logouts} | ${row.mutationsNotOnce} | ${row.ticking ? 'yes' : 'no'} | ${row.failures.join('; ') || '—'} |`,
    );
  }
  return lines.join('\n');
}

/**
 * The rows as one line per server, a cell per token endpoint and clock, each
 * `refreshes per lifetime · failed ops · logouts`: the shape of the README's "Works with" table.
 */
export function formatCompact(rows: readonly CellResult[]): string {
  const columns = (['rotating', 'non-rotating'] as const).flatMap((rotation) =>
    SKEWS_MS.map((skewMs) => ({ rotation, clock: skewLabel(skewMs) })),
  );
  const lines = [
    `| server | ${columns.map((column) => `${column.rotation} ${column.clock}`).join(' | ')} |`,
    `|---|${columns.map(() => '---').join('|')}|`,
  ];
  for (const label of new Set(rows.map(serverLabel))) {
    const cells = columns.map(({ rotation, clock }) => {
      const row = rows.find(
        (candidate) =>
          serverLabel(candidate) === label &&
          candidate.rotation === rotation &&
          candidate.clock === clock,
      );
      return row
        ? `${(row.refreshes / row.lifetimes).toFixed(2)} · ${row.failed} · ${row.logouts}`
        : '—';
    });
    lines.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Prints the tables and writes them, with the raw rows, to `test/compat/.results/<name>.*`. */
export function reportMatrix(name: string, rows: readonly CellResult[]): void {
  if (rows.length === 0) return;
  const table = `${formatMatrix(rows)}\n\n${formatCompact(rows)}`;
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(new URL(`${name}.md`, RESULTS_DIR), `${table}\n`);
  writeFileSync(new URL(`${name}.json`, RESULTS_DIR), `${JSON.stringify(rows, null, 2)}\n`);
  console.log(`compatibility matrix (${name})\n${table}`);
}

/**
 * What every cell must show: at most one refresh per token lifetime, no failed operation, no
 * logout, every mutation executed once, the subscription still ticking, no token in anything
 * the app saw. Soft, so every broken one is reported.
 */
export function expectCellHolds(result: CellResult): void {
  expect.soft(result.stoppedEarly, 'session broken, run stopped early').toBe(false);
  expect
    .soft(result.refreshes / result.lifetimes, 'refreshes per token lifetime')
    .toBeLessThanOrEqual(1);
  expect.soft(result.failures, 'failed operations').toEqual([]);
  expect.soft(result.failed, 'failed operations').toBe(0);
  expect.soft(result.logouts, 'logouts').toBe(0);
  expect.soft(result.mutationsNotOnce, 'mutations not executed exactly once').toBe(0);
  expect.soft(result.ticking, 'subscription still ticking').toBe(true);
  expect.soft(result.leaks, 'issued tokens in errors, events or console lines').toEqual([]);
}

/**
 * Registers one row group of the matrix: `cell` against both token endpoints and the three
 * device clocks, one test per cell, and the table printed (and written) after them.
 */
export function matrixSuite(name: string, cell: Omit<CellSpec, 'rotation' | 'skewMs'>): void {
  const rows: CellResult[] = [];
  afterAll(() => reportMatrix(name, rows));
  describe.each(['rotating', 'non-rotating'] as const)(`${name}, %s refresh tokens`, (rotation) => {
    it.each(SKEWS_MS.map((skewMs) => [skewLabel(skewMs), skewMs] as const))(
      'device clock %s: three token lifetimes, no failure, no logout',
      async (_, skewMs) => {
        const result = await runCell({ ...cell, rotation, skewMs });
        rows.push(result);
        expectCellHolds(result);
      },
    );
  });
}
