import { UnsecuredJWT } from 'jose';
import type { ClientSpec } from './clients/index.js';
import { quantile, type Stat, stat } from './stats.js';
import type { BenchClient, ClientEnv, ClientFactory } from './types.js';

/** S3 result for one client against its own bare client, in µs per operation. */
export interface OverheadRow {
  name: string;
  base: string;
  us: Stat;
  bareUs: Stat;
  /** Per repetition: client minus bare µs/op, each from its lower-decile slice. */
  addedUs: Stat;
  /** 1 + added / bare, from the medians. */
  ratio: number;
}

export interface OverheadOptions {
  ops: number;
  reps: number;
}

/** The row that measures the bare Apollo Client 4 against itself. */
export const NOISE_FLOOR = 'noise floor (bare vs bare)';

const BODY = '{"data":{"echo":1}}';

/** No network: every request answers the same JSON at once. */
const mockFetch: typeof fetch = async () =>
  new Response(BODY, { status: 200, headers: { 'content-type': 'application/json' } });

/** Slices of one repetition; alternating them cancels drift (JIT, GC, CPU frequency). */
const SLICE = 50;
/** Operations each client runs before anything is recorded, whatever `ops` is. */
const WARMUP = 3000;
/** Extra operations for the first bare client of each base. */
const FIRST_WARMUP = 8000;
const warmed = new Set<string>();

/**
 * The cost of a client is read from its least disturbed slices (the lower decile): on a shared
 * machine a slice can only be slowed down by other work, never sped up.
 */
const LOW = 0.1;

/**
 * CPU time of one slice, in ms. The work is sequential and never waits on I/O, so CPU time is
 * the cost itself, while wall time would also count the time other processes held the CPU.
 */
async function slice(client: BenchClient, from: number, count: number): Promise<number> {
  const t0 = process.cpuUsage();
  for (let i = from; i < from + count; i++) {
    const o = await client.query(i);
    if (!o.ok) throw new Error(`S3: an operation failed (${o.code})`);
  }
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000;
}

/** What a client under S3 gets: a token valid for 2 h and a `fetch` that never leaves the process. */
export function overheadEnv(): ClientEnv {
  return {
    url: 'http://bench.invalid/graphql',
    refreshUrl: 'http://bench.invalid/refresh',
    tokens: {
      accessToken: new UnsecuredJWT({ sub: 'alice' }).setExpirationTime('2h').encode(),
      refreshToken: 'unused',
    },
    now: Date.now,
    fetch: mockFetch,
  };
}

export async function measureOverhead(
  spec: ClientSpec,
  bareFactory: ClientFactory,
  { ops, reps }: OverheadOptions,
): Promise<OverheadRow> {
  const env = overheadEnv();
  const client = await spec.create(env);
  const bare = await bareFactory(env);
  try {
    // Warm-up: both reach optimised code before anything is recorded.
    // Apollo Client 4 takes thousands of operations to reach its steady speed; the first pair on
    // each base pays that once, so a short (--quick) run measures warm code too.
    if (!warmed.has(spec.base)) {
      warmed.add(spec.base);
      await slice(bare, 0, FIRST_WARMUP);
    }
    await slice(bare, 0, WARMUP);
    await slice(client, 0, WARMUP);
    // Per repetition: client and bare slices interleaved, so both saw the same machine load. No
    // forced GC between repetitions: it empties Apollo Client's weak caches (printed queries,
    // transformed documents) and the next thousands of operations run cold.
    const us: number[] = [];
    const bareUs: number[] = [];
    const added: number[] = [];
    for (let r = 0; r < reps; r++) {
      const c: number[] = [];
      const b: number[] = [];
      for (let done = 0; done < ops; done += SLICE) {
        const count = Math.min(SLICE, ops - done);
        const perOp = (ms: number) => (ms * 1000) / count;
        // Alternate who goes first, so neither always runs right after the other's garbage.
        if ((done / SLICE + r) % 2) {
          b.push(perOp(await slice(bare, done, count)));
          c.push(perOp(await slice(client, done, count)));
        } else {
          c.push(perOp(await slice(client, done, count)));
          b.push(perOp(await slice(bare, done, count)));
        }
      }
      us.push(quantile(c, LOW));
      bareUs.push(quantile(b, LOW));
      added.push(quantile(c, LOW) - quantile(b, LOW));
    }
    const s = stat(us);
    const sb = stat(bareUs);
    const sa = stat(added);
    return {
      name: spec.name,
      base: spec.base,
      us: s,
      bareUs: sb,
      addedUs: sa,
      ratio: 1 + sa.median / sb.median,
    };
  } finally {
    await client.dispose();
    await bare.dispose();
  }
}
