/**
 * S3: what a client adds per operation on the happy path (valid token) over bare Apollo Client 4,
 * side by side in one process. Sequential queries against an in-process `fetch` that answers at
 * once, so the clients' own work is all there is to measure.
 */
import { UnsecuredJWT } from 'jose';
import type { BenchClient, ClientFactory } from './clients/types.js';
import { type Spread, spread } from './stats.js';

export interface OverheadRow {
  name: string;
  /** CPU µs per query of the client, and of bare Apollo Client 4 (lower-decile slices). */
  us: Spread;
  bareUs: Spread;
  /** Per repetition, the median over pairs of slices side by side of client ÷ bare − 1, in %. */
  addedPercent: Spread;
}

/** Queries per slice; client and bare slices alternate, in pairs that share the machine's state. */
const SLICE = 50;
/** Queries each client runs before anything is recorded. */
const WARM_UP = 3000;
/** Apollo Client 4 reaches its steady speed after thousands of queries: the bare client runs these first. */
const BARE_WARM_UP = 8000;
/** The µs columns: each side's lower-decile slice, the machine at its least disturbed. */
const LEAST_DISTURBED = 0.1;

/** Answers every GraphQL request at once, in the process. */
export const inProcessFetch: typeof fetch = async () =>
  new Response('{"data":{"echo":1}}', { headers: { 'content-type': 'application/json' } });

/** The `q` quantile (0–1) of `values`, nearest rank. */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.round(q * (sorted.length - 1))] ?? Number.NaN;
}

/** CPU µs per query of `count` sequential queries: no I/O is awaited, so CPU is the cost. */
async function slice(client: BenchClient, from: number, count: number): Promise<number> {
  const before = process.cpuUsage();
  for (let index = from; index < from + count; index++) await client.query(index);
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / count;
}

export async function measureOverhead(
  name: string,
  [create, createBare]: [ClientFactory, ClientFactory],
  { queries, repetitions }: { queries: number; repetitions: number },
): Promise<OverheadRow> {
  const accessToken = new UnsecuredJWT({ sub: 'alice' }).setExpirationTime('2h').encode();
  const env = {
    url: 'http://bench.invalid/graphql',
    refreshUrl: 'http://bench.invalid/refresh',
    tokens: { accessToken, refreshToken: 'unused' },
    now: () => Date.now(),
    fetch: inProcessFetch,
  };
  const client = await create(env);
  const bare = await createBare(env);
  try {
    await slice(bare, 0, BARE_WARM_UP + WARM_UP);
    await slice(client, 0, WARM_UP);
    // No forced GC between repetitions: it empties Apollo Client's weak caches (printed queries,
    // transformed documents), and the next thousands of queries would run cold.
    const us: number[] = [];
    const bareUs: number[] = [];
    const added: number[] = [];
    for (let repetition = 0; repetition < repetitions; repetition++) {
      const slices = { client: [] as number[], bare: [] as number[] };
      for (let done = 0; done < queries; done += SLICE) {
        // Who goes first alternates, so neither always runs right after the other's garbage.
        const clientFirst = (done / SLICE + repetition) % 2 === 0;
        if (clientFirst) slices.client.push(await slice(client, done, SLICE));
        slices.bare.push(await slice(bare, done, SLICE));
        if (!clientFirst) slices.client.push(await slice(client, done, SLICE));
      }
      // A shared machine changes speed from one second to the next, so each slice is compared
      // with the bare slice beside it, which ran at the same speed.
      const ratios = slices.client.map(
        (value, index) => value / (slices.bare[index] ?? Number.NaN),
      );
      us.push(quantile(slices.client, LEAST_DISTURBED));
      bareUs.push(quantile(slices.bare, LEAST_DISTURBED));
      added.push((spread(ratios).median - 1) * 100);
    }
    return { name, us: spread(us), bareUs: spread(bareUs), addedPercent: spread(added) };
  } finally {
    client.dispose();
    bare.dispose();
  }
}
