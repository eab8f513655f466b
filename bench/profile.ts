/**
 * `--profile=<scenario>`: a CPU profile of one client's process through one scenario's
 * repetitions, as they are measured. Writes `bench/profiles/<scenario> <client>.cpuprofile`
 * (Chrome DevTools › Performance opens it) and summarises the self time by package and the
 * functions that take the most of it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

const SAMPLING_INTERVAL_US = 100;
const TOP_FUNCTIONS = 12;
/** The repository, where the bench starts every client process. */
const root = `${process.cwd()}/`;

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code comes from, by its file. The server has a process of its own. */
const GROUPS: [string, (url: string) => boolean][] = [
  ['ours (dist/)', (url) => url.startsWith(`file://${root}dist/`)],
  ['jose, p-queue', (url) => /node_modules\/(jose|p-queue)\//.test(url)],
  ['Apollo Client', (url) => url.includes('node_modules/@apollo/client/')],
  ['rxjs', (url) => url.includes('node_modules/rxjs/')],
  ['graphql', (url) => url.includes('node_modules/graphql/')],
  ['urql, wonka', (url) => /node_modules\/(@urql|wonka)\//.test(url)],
  ['other packages', (url) => url.includes('node_modules/')],
  ['undici (fetch)', (url) => url.includes('internal/deps/undici')],
  ['other Node internals', (url) => url.startsWith('node:')],
  ['the bench', (url) => url.startsWith(`file://${root}`)],
];

const groupOf = (url: string, name: string) =>
  GROUPS.find(([, test]) => test(url))?.[0] ?? (name.startsWith('(') ? name : 'V8 (native)');

const shortUrl = (url: string) =>
  url.replace(/^.*node_modules\//, '').replace(`file://${root}`, '');

function summary(profile: CpuProfile): string {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byGroup = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, index) => {
    const frame = frames.get(id);
    const delta = profile.timeDeltas[index] ?? 0;
    // Idle is the time the process waited (the refresh latency, the server): no cost of its own.
    if (!frame || frame.functionName === '(idle)') return;
    busy += delta;
    const group = groupOf(frame.url, frame.functionName);
    const name = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    byGroup.set(group, (byGroup.get(group) ?? 0) + delta);
    byFunction.set(`${name} [${group}]`, (byFunction.get(`${name} [${group}]`) ?? 0) + delta);
  });
  const share = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
  const top = (entries: [string, number][], count: number) =>
    entries
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([key, us]) => `${share(us)}  ${(us / 1000).toFixed(1).padStart(7)} ms  ${key}`);
  const ours = [...byFunction].filter(([name]) => name.endsWith('[ours (dist/)]'));
  return [
    `${(busy / 1000).toFixed(0)} ms busy (idle left out); self time:`,
    ...top([...byGroup], GROUPS.length + 4),
    'top functions:',
    ...top([...byFunction], TOP_FUNCTIONS),
    'top functions of ours:',
    ...top(ours, TOP_FUNCTIONS),
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
    const file = `${root}bench/profiles/${label}.cpuprofile`;
    await mkdir(`${root}bench/profiles`, { recursive: true });
    await writeFile(file, JSON.stringify(cpuProfile));
    return `${file}\n${summary(cpuProfile as CpuProfile)}`;
  } finally {
    session.disconnect();
  }
}
