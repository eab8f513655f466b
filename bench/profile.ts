/**
 * `--profile=<scenario>`: a CPU profile of one client's process through one scenario's
 * repetitions, as they are measured. Writes `bench/profiles/<scenario> <client>.cpuprofile`
 * (Chrome DevTools opens it) and sums up the self time by where the code comes from.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

const SAMPLING_INTERVAL_US = 100;
const TOP = 12;
/** The repository, where the bench starts every client process. */
const root = `file://${process.cwd()}/`;
const OURS = 'ours (dist/)';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code comes from. The server is not here: it has a process of its own. */
const SOURCES: [string, RegExp][] = [
  [OURS, new RegExp(`^${root}dist/`)],
  ['jose, p-queue', /node_modules\/(jose|p-queue)\//],
  ['Apollo Client', /node_modules\/@apollo\/client\//],
  ['rxjs', /node_modules\/rxjs\//],
  ['graphql', /node_modules\/graphql\//],
  ['other packages', /node_modules\//],
  ['undici (fetch)', /internal\/deps\/undici/],
  ['other Node internals', /^node:/],
  ['the bench', new RegExp(`^${root}`)],
];
/** Frames without a file: V8's own entries (`(garbage collector)`, `(program)`) or native code. */
const sourceOf = (url: string, name: string) =>
  SOURCES.find(([, pattern]) => pattern.test(url))?.[0] ??
  (url ? 'other' : name.startsWith('(') ? name : 'native (V8 builtins, Node bindings)');

function summary(profile: CpuProfile): string {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const bySource = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, us: number) =>
    map.set(key, (map.get(key) ?? 0) + us);
  let busy = 0;
  profile.samples.forEach((id, index) => {
    const frame = frames.get(id);
    // Idle is the time the process waited (the refresh latency, the server): no cost of its own.
    if (!frame || frame.functionName === '(idle)') return;
    const us = profile.timeDeltas[index] ?? 0;
    const source = sourceOf(frame.url, frame.functionName);
    const where = `${frame.url.replace(/^.*node_modules\//, '').replace(root, '')}:${frame.lineNumber + 1}`;
    busy += us;
    add(bySource, source, us);
    add(byFunction, `${frame.functionName || '(anonymous)'} ${where} [${source}]`, us);
  });
  const top = (entries: [string, number][], count = TOP) =>
    entries
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([key, us]) => {
        const share = `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
        return `${share} ${(us / 1000).toFixed(1).padStart(7)} ms  ${key}`;
      });
  return [
    `${(busy / 1000).toFixed(0)} ms busy (idle left out); self time by source:`,
    ...top([...bySource], Number.POSITIVE_INFINITY),
    'top functions:',
    ...top([...byFunction]),
    'top functions of ours:',
    ...top([...byFunction].filter(([key]) => key.endsWith(`[${OURS}]`))),
  ].join('\n');
}

/** Runs `work` under the profiler; returns where the profile went and its summary. */
export async function profile(label: string, work: () => Promise<unknown>): Promise<string> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
    await session.post('Profiler.start');
    await work();
    const { profile: cpuProfile } = await session.post('Profiler.stop');
    await mkdir('bench/profiles', { recursive: true });
    const file = `bench/profiles/${label}.cpuprofile`;
    await writeFile(file, JSON.stringify(cpuProfile));
    return `${file}\n${summary(cpuProfile as CpuProfile)}`;
  } finally {
    session.disconnect();
  }
}
