/**
 * Runs one client in a loop for a CPU profile:
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile.ts s3 ours
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile.ts "S1 N=500" ours
 * Read the profile in Chrome DevTools, or summarise it with `node bench/lib/cpuprofile.mjs`.
 */
import { loadClients } from './lib/clients/index.js';
import { overheadEnv } from './lib/overhead.js';
import { runOnce, scenarios } from './lib/scenarios.js';

const [what = 's3', name = 'ours', times = '0'] = process.argv.slice(2);
process.env.NODE_ENV = 'production';
const { clients, bare } = await loadClients(true);
const spec = name.startsWith('bare:') ? undefined : clients.find((c) => c.name === name);
const create = spec?.create ?? bare[name.slice(5) as keyof typeof bare];
if (!create) throw new Error(`unknown client ${name}`);

if (what === 's3') {
  const ops = Number(times) || 20_000;
  const client = await create(overheadEnv());
  for (let i = 0; i < 2000; i++) await client.query(i);
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) await client.query(i);
  console.log(`${name}: ${(((performance.now() - t0) * 1000) / ops).toFixed(1)} µs/op`);
  await client.dispose();
} else {
  const sc = scenarios(false).find((s) => s.id === what);
  if (!sc) throw new Error(`unknown scenario ${what}`);
  for (let i = 0; i < (Number(times) || 5); i++) {
    const r = await runOnce(sc, create);
    console.log(`${name} ${sc.id}: ${r.wallMs.toFixed(0)} ms, ${r.httpRequests} requests`);
  }
}
