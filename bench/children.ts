/**
 * The bench's child processes: each measures one client in one task, in a fresh Node process
 * that runs the compiled bench (`build.ts`) with `NODE_ENV=production`, as a shipped app runs.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type Task =
  | {
      kind: 'scenario' | 'profile';
      scenario: string;
      /** N of the large scenarios (`scenarios()`). */
      large: number;
      client: string;
      repetitions: number;
    }
  | { kind: 'overhead'; client: string; queries: number; repetitions: number }
  | { kind: 'memory'; client: string };

export const root = fileURLToPath(new URL('../', import.meta.url));
const clientProcessFile = `${root}bench/compiled/client-process.mjs`;
/** A child still running after this is killed: a client that hangs cannot stall the bench. */
const CHILD_LIMIT_MS = 240_000;

/** Runs `task` in a fresh process; resolves with the JSON it printed last. */
export function inChild<Result>(task: Task): Promise<Result> {
  // Only the memory task forces GC; the others run with Node's defaults, as an app does.
  const flags = task.kind === 'memory' ? ['--expose-gc'] : [];
  const child = spawn(process.execPath, [...flags, clientProcessFile, JSON.stringify(task)], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_LIMIT_MS);
  return new Promise<Result>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const last = output.trim().split('\n').at(-1) ?? '';
      if (code === 0 && last) return resolve(JSON.parse(last) as Result);
      reject(new Error(`bench: ${task.kind} ${task.client} ended with ${signal ?? code}`));
    });
  });
}
