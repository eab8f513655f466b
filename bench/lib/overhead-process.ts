import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { OverheadOptions, OverheadRow } from './overhead.js';

const child = fileURLToPath(new URL('./overhead-child.ts', import.meta.url));

/** `measureOverhead` for the client named `name`, in a fresh process (see overhead-child.ts). */
export async function measureOverheadIsolated(
  name: string,
  { ops, reps }: OverheadOptions,
): Promise<OverheadRow> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', child, name, String(ops), String(reps)],
    { timeout: 120_000 },
  );
  return JSON.parse(stdout) as OverheadRow;
}
