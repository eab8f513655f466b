/**
 * One S3 measurement in a process of its own (`overhead-process.ts` runs this file):
 * `node --import tsx bench/lib/overhead-child.ts <client | floor> <ops> <reps>` prints the
 * `OverheadRow` as JSON. A fresh process per client keeps the JIT feedback and heap that earlier
 * scenarios (and other clients) leave behind out of a measurement of a few µs.
 */
import { loadClients } from './clients/index.js';
import { measureOverhead, NOISE_FLOOR } from './overhead.js';

const [name = '', ops = '', reps = ''] = process.argv.slice(2);
const { clients, bare } = await loadClients(true);
const a4 = bare['Apollo Client 4'];
const spec =
  name === NOISE_FLOOR && a4
    ? { name, base: 'Apollo Client 4' as const, create: a4 }
    : clients.find((c) => c.name === name);
const bareFactory = spec && bare[spec.base];
if (!spec || !bareFactory) throw new Error(`overhead-child: no client or bare client for ${name}`);
const row = await measureOverhead(spec, bareFactory, { ops: Number(ops), reps: Number(reps) });
process.stdout.write(`${JSON.stringify(row)}\n`);
