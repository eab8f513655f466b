import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type CellResult, type CellSpec, runCell } from './cell.js';
import { SERVER_LABELS } from './stack.js';
import { SKEWS_MS, skewLabel } from './world.js';

/** Where each matrix file writes its rows (gitignored): the source of docs/compatibility.md. */
const RESULTS_DIR = new URL('./.results/', import.meta.url);

const serverLabel = (r: CellResult) =>
  r.wsRestart ? 'graphql-ws 6 server restarted (down ~5 s)' : SERVER_LABELS[r.server];

/** The rows as a Markdown table: server × token endpoint × clock → what happened. */
export function formatMatrix(rows: readonly CellResult[]): string {
  const lines = [
    '| server | token endpoint | device clock | refreshes / lifetime | failed ops | logouts | mutations ≠ once | subscription ticking | first failures |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${serverLabel(r)} | ${r.rotation} | ${r.clock} | ${(r.refreshes / r.lifetimes).toFixed(2)}${r.stoppedEarly ? ` (stopped after ${r.lifetimes.toFixed(1)} lifetimes)` : ''} | ${r.failed}/${r.operations} | ${r.logouts} | ${r.mutationsNotOnce} | ${r.ticking ? 'yes' : 'no'} | ${r.failures.join('; ') || '—'} |`,
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
    `| server | ${columns.map((c) => `${c.rotation} ${c.clock}`).join(' | ')} |`,
    `|---|${columns.map(() => '---').join('|')}|`,
  ];
  for (const label of new Set(rows.map(serverLabel))) {
    const cells = columns.map(({ rotation, clock }) => {
      const r = rows.find(
        (x) => serverLabel(x) === label && x.rotation === rotation && x.clock === clock,
      );
      return r ? `${(r.refreshes / r.lifetimes).toFixed(2)} · ${r.failed} · ${r.logouts}` : '—';
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

/** What every cell must show (SPEC, "Real servers, real clocks"); soft, so all are reported. */
export function expectCellHolds(r: CellResult): void {
  expect.soft(r.stoppedEarly, 'session broken, run stopped early').toBe(false);
  expect.soft(r.refreshes / r.lifetimes, 'refreshes per token lifetime').toBeLessThanOrEqual(1);
  expect.soft(r.failures, 'failed operations').toEqual([]);
  expect.soft(r.failed, 'failed operations').toBe(0);
  expect.soft(r.logouts, 'logouts').toBe(0);
  expect.soft(r.mutationsNotOnce, 'mutations not executed exactly once').toBe(0);
  expect.soft(r.ticking, 'subscription still ticking').toBe(true);
  expect.soft(r.leaks, 'issued tokens in errors, events or console lines').toEqual([]);
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
