/**
 * `npm run bench [-- --quick] [-- --only=S1,S3,bundle] [-- --clients=ours,urql] [-- --reps=9] [-- --ref]`
 *
 * Runs every scenario against the real test server with each client, prints a markdown table,
 * writes bench/results.md and bench/results.json, and exits 1 when a target for ours is missed.
 */
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { measureBundles } from './lib/bundle.js';
import { loadClients } from './lib/clients/index.js';
import { measureOverhead } from './lib/overhead.js';
import { toMarkdown } from './lib/report.js';
import type { Results } from './lib/results.js';
import { type Run, runOnce, scenarios } from './lib/scenarios.js';
import { checkTargets } from './lib/targets.js';
import { runWsRestartBench } from './ws-restart.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.includes('--quick');
const only = flag('only')?.split(',');
const pick = flag('clients')?.split(',');
/** `--only=S1` picks both S1 sizes but not S1x or S1r; `--only="S1 N=50"` picks one. */
const wanted = (id: string) =>
  !only ||
  only.some((o) => [id, id.split(' ')[0]].some((k) => k?.toLowerCase() === o.toLowerCase()));

// Production mode for every client, as shipped apps run: Apollo Client 3 and urql read it.
process.env.NODE_ENV = 'production';

const REPS = Number(flag('reps')) || (quick ? 3 : 5);
// Bounded even if a client leaves a handle open or hangs past its per-operation timeouts.
setTimeout(
  () => {
    process.stderr.write('bench: time limit reached\n');
    process.exit(2);
  },
  quick ? 120_000 : 900_000,
).unref();
const started = performance.now();
const load0 = loadavg()[0] ?? 0;
const log = (line: string) => process.stderr.write(`${line}\n`);

const registry = await loadClients(args.includes('--ref'));
const clients = registry.clients.filter((c) => !pick || pick.includes(c.name));
const res: Results = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
  load: [load0, 0],
  quick,
  reps: REPS,
  refreshLatencyMs: 50,
  scenarios: [],
  overhead: [],
  bundles: [],
  ws: null,
  targets: [],
  notes: [...registry.notes],
  durationMs: 0,
};

const list = scenarios(quick).filter((s) => wanted(s.id));
if (list.length) {
  // One unrecorded pass per client first, so no client pays for JIT warm-up in the table.
  const warm = scenarios(true)[0];
  if (warm) for (const c of clients) await runOnce(warm, c.create);
}
for (const sc of list) {
  const rows = clients.map((c) => ({ client: c.name, runs: [] as Run[] }));
  for (let rep = 0; rep < REPS; rep++) {
    // Rotate the order each repetition so no client always runs first or last.
    for (let k = 0; k < clients.length; k++) {
      const i = (k + rep) % clients.length;
      const c = clients[i];
      const row = rows[i];
      if (!c || !row) continue;
      row.runs.push(await runOnce(sc, c.create));
    }
  }
  res.scenarios.push({ id: sc.id, title: sc.title, n: sc.n, rows });
  log(`${sc.id} done (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

if (wanted('S3')) {
  const opts = quick ? { ops: 1000, reps: 3 } : { ops: 5000, reps: 5 };
  for (const c of clients) {
    const bare = registry.bare[c.base];
    if (bare) res.overhead.push(await measureOverhead(c, bare, opts));
  }
  // The bare Apollo Client 4 against itself: how far from 0 "added" lands by chance in this run.
  const a4 = registry.bare['Apollo Client 4'];
  if (a4) {
    const floor = {
      name: 'noise floor (bare vs bare)',
      base: 'Apollo Client 4',
      create: a4,
    } as const;
    res.overhead.push(await measureOverhead(floor, a4, opts));
  }
  log(`S3 done (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

if (wanted('S5') && clients.some((c) => c.name === 'ours')) {
  res.ws = await runWsRestartBench({
    runs: quick ? 5 : 20,
    refreshLatencyMs: res.refreshLatencyMs,
  });
  log(`S5 done (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

if (wanted('bundle')) {
  const have = new Set(registry.clients.map((c) => c.name));
  const skip = new Set(
    ['ours', 'naive', 'one-future', 'legacy', 'urql'].filter((n) => !have.has(n)),
  );
  res.bundles = await measureBundles(skip);
}

res.load[1] = loadavg()[0] ?? 0;
res.durationMs = performance.now() - started;
res.targets = checkTargets(res);
const md = toMarkdown(res);
process.stdout.write(md);
const dir = new URL('./', import.meta.url);
await writeFile(new URL('results.md', dir), md);
await writeFile(new URL('results.json', dir), `${JSON.stringify(res, null, 2)}\n`);

// `--quick` (CI) enforces the count and size targets; timing targets only in the full run.
const missed = res.targets.filter((t) => !t.ok && !(quick && t.timing));
if (missed.length) {
  log(`${missed.length} target(s) for ours missed: ${missed.map((t) => t.id).join(', ')}`);
  process.exitCode = 1;
}
