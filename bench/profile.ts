/**
 * CPU profiles of where the time goes (issue 16), for ours or the client of `--clients=NAME`:
 *
 *   npm run bench -- --profile=401       S1x N=500: 500 rejections → one refresh → 500 retries
 *   npm run bench -- --profile=failure   S4 N=50: the refresh refused, 50 waiters rejected at once
 *   npm run bench -- --profile="S1 N=500" --clients=legacy
 *
 * Writes bench/profiles/<scenario> <client>.cpuprofile (Chrome DevTools › Performance opens it)
 * and prints the functions and files with the most self time. The test server runs on a thread
 * of its own, so the profile is the client side alone.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import type { ClientSpec } from './clients/types.js';
import { root } from './paths.js';
import { runOnce, scenarios } from './scenarios.js';

const NAMED: Record<string, string> = { '401': 'S1x N=500', failure: 'S4 N=50' };
const WARM_UP_RUNS = 3;
/** Profiled runs: S4 takes a few ms of CPU, so it needs more of them for enough samples. */
const profiledRuns = (id: string) => (id.startsWith('S4 ') ? 30 : 5);
const SAMPLING_INTERVAL_US = 100;
const TOP = 20;

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** `node_modules/@apollo/client/…` → `@apollo/client/…`; the repository's own files relative to it. */
const shortUrl = (url: string) =>
  url.replace(/^.*node_modules\//, '').replace(`file://${root}`, '') || '(native)';

function topSelfTime(profile: CpuProfile): string {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, index) => {
    const frame = frames.get(id);
    const delta = profile.timeDeltas[index] ?? 0;
    // Idle is time the process waited (the refresh latency, the server): not a cost of its own.
    if (!frame || frame.functionName === '(idle)') return;
    const file = shortUrl(frame.url);
    const name = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    busy += delta;
    byFunction.set(name, (byFunction.get(name) ?? 0) + delta);
    byFile.set(file, (byFile.get(file) ?? 0) + delta);
  });
  const share = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
  const top = (entries: [string, number][]) =>
    entries
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(([key, us]) => `${share(us)}  ${key}`)
      .join('\n');
  const ours = [...byFunction].filter(([name]) => name.includes(' dist/'));
  return [
    `${(busy / 1000).toFixed(0)} ms busy (idle left out); self time, share of busy:`,
    '== by function',
    top([...byFunction]),
    '== by file',
    top([...byFile]),
    `== this package (dist/): ${share(ours.reduce((sum, [, us]) => sum + us, 0))} in all`,
    top(ours),
  ].join('\n');
}

export async function profile(what: string, client: ClientSpec | undefined): Promise<void> {
  const id = NAMED[what] ?? what;
  const scenario = scenarios().find((candidate) => candidate.id === id);
  if (!scenario || !client) throw new Error(`profile: no scenario ${what} or no such client`);
  for (let run = 0; run < WARM_UP_RUNS; run++) await runOnce(scenario, client.create);
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
    await session.post('Profiler.start');
    for (let run = 0; run < profiledRuns(id); run++) {
      const result = await runOnce(scenario, client.create);
      process.stderr.write(
        `${client.name} ${id}: ${result.wallMs.toFixed(0)} ms, ${result.httpRequests} requests, ${result.errors} errors\n`,
      );
    }
    const { profile: cpuProfile } = await session.post('Profiler.stop');
    const file = `${root}bench/profiles/${id} ${client.name}.cpuprofile`;
    await mkdir(`${root}bench/profiles`, { recursive: true });
    await writeFile(file, JSON.stringify(cpuProfile));
    process.stdout.write(`${file}\n${topSelfTime(cpuProfile as CpuProfile)}\n`);
  } finally {
    session.disconnect();
  }
}
