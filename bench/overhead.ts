/**
 * S3: what a client adds per operation on the happy path (valid token), against its own bare
 * client, in CPU µs. Sequential queries against an in-process `fetch` that answers at once, so
 * the client's own work is all there is to measure. Each client runs in a fresh process (see
 * `run.ts`): JIT feedback and heap left by other clients move a few µs.
 */
import { UnsecuredJWT } from 'jose';
import type { ClientSpec } from './clients/index.js';
import type { BenchClient, ClientEnv, ClientFactory } from './clients/types.js';
import { quantile, type Spread, spread } from './stats.js';

export interface OverheadRow {
  name: string;
  base: string;
  us: Spread;
  bareUs: Spread;
  /** Per repetition: client minus bare µs/op, each from its lower-decile slice. */
  addedUs: Spread;
}

/** The bare Apollo Client 4 against itself: how far from 0 "added" lands by chance. */
export const NOISE_FLOOR = 'noise floor (bare vs bare)';

/** Queries per slice; client and bare slices alternate, which cancels drift (JIT, GC, CPU clock). */
const SLICE = 50;
/** Queries each client runs before anything is recorded. */
const WARM_UP = 3000;
/** Apollo Client 4 reaches its steady speed after thousands of queries: the bare client runs these first. */
const BASE_WARM_UP = 8000;
/**
 * Each client is read from its least disturbed slices (the lower decile): other work on a shared
 * machine can only slow a slice down, never speed it up.
 */
const LEAST_DISTURBED = 0.1;

/** Answers every GraphQL request at once, in the process. */
export const inProcessFetch: typeof fetch = async () =>
  new Response('{"data":{"echo":1}}', {
    status: 200,
    headers: { 'content-type': 'application/json' },
  });

/** A token valid for 2 h and a `fetch` that never leaves the process. */
export function overheadEnv(): ClientEnv {
  return {
    url: 'http://bench.invalid/graphql',
    refreshUrl: 'http://bench.invalid/refresh',
    tokens: {
      accessToken: new UnsecuredJWT({ sub: 'alice' }).setExpirationTime('2h').encode(),
      refreshToken: 'unused',
    },
    now: Date.now,
    fetch: inProcessFetch,
  };
}

/**
 * CPU ms of `count` sequential queries. No I/O is awaited, so CPU time is the cost itself; wall
 * time would also count the time other processes held the CPU.
 */
async function slice(client: BenchClient, from: number, count: number): Promise<number> {
  const before = process.cpuUsage();
  for (let index = from; index < from + count; index++) {
    const outcome = await client.query(index);
    if (!outcome.ok) throw new Error(`S3: a query failed (${outcome.code})`);
  }
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / 1000;
}

export async function measureOverhead(
  spec: Pick<ClientSpec, 'name' | 'base' | 'create'>,
  bareFactory: ClientFactory,
  { queries, repetitions }: { queries: number; repetitions: number },
): Promise<OverheadRow> {
  const env = overheadEnv();
  const client = await spec.create(env);
  const bare = await bareFactory(env);
  try {
    await slice(bare, 0, BASE_WARM_UP + WARM_UP);
    await slice(client, 0, WARM_UP);
    // No forced GC between repetitions: it empties Apollo Client's weak caches (printed queries,
    // transformed documents), and the next thousands of queries would run cold.
    const us: number[] = [];
    const bareUs: number[] = [];
    const added: number[] = [];
    for (let repetition = 0; repetition < repetitions; repetition++) {
      const clientSlices: number[] = [];
      const bareSlices: number[] = [];
      for (let done = 0; done < queries; done += SLICE) {
        const count = Math.min(SLICE, queries - done);
        const perQuery = (ms: number) => (ms * 1000) / count;
        // Who goes first alternates, so neither always runs right after the other's garbage.
        const order = (done / SLICE + repetition) % 2 ? [bare, client] : [client, bare];
        for (const which of order) {
          const sliceUs = perQuery(await slice(which, done, count));
          (which === bare ? bareSlices : clientSlices).push(sliceUs);
        }
      }
      const clientUs = quantile(clientSlices, LEAST_DISTURBED);
      const baseUs = quantile(bareSlices, LEAST_DISTURBED);
      us.push(clientUs);
      bareUs.push(baseUs);
      added.push(clientUs - baseUs);
    }
    return {
      name: spec.name,
      base: spec.base,
      us: spread(us),
      bareUs: spread(bareUs),
      addedUs: spread(added),
    };
  } finally {
    await client.dispose();
    await bare.dispose();
  }
}
