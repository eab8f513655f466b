/**
 * Memory (issue 16): the heap each operation costs while it is held during a slow refresh, and
 * whether anything is left once they have settled. Runs in a fresh process started with
 * `--expose-gc` (see `run.ts`), the test server on its own thread: the heap is the client's.
 * The bare Apollo Client 4 row holds its operations in `fetch` instead: what Apollo Client
 * itself keeps per operation in flight, which every client on it pays too.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ClientFactory, Outcome } from './clients/types.js';
import { inProcessFetch } from './overhead.js';
import { clockOf, startServer } from './server.js';

export interface MemoryRow {
  name: string;
  operations: number;
  /** Heap per operation while all are held, over the heap before they started. */
  heldBytesPerOperation: number;
  /** Heap once they all settled, over the heap before they started: growth. */
  retainedBytes: number;
  errors: number;
}

/** Operations held at once: issue 16's figure. */
export const HELD_OPERATIONS = 10_000;
/** The login token's lifetime; each cycle moves the clock past it, so each starts with a refresh. */
const TOKEN_TTL_MS = 60_000;
/** Turns of the event loop in which nothing may move before the operations count as held. */
const QUIET_TURNS = 20;
const MAX_TURNS = 100_000;

const gc = (globalThis as { gc?: () => void }).gc;

function heapUsed(): number {
  if (!gc) throw new Error('memory: run with node --expose-gc');
  // Twice: the first pass may leave what finalizers of the first free.
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Where the operations wait: the refresh (a refresh client) or `fetch` (bare). */
export type HoldsIn = 'refresh' | 'fetch';

/**
 * The client's `fetch`: held requests wait for `release()`, a slow refresh without a timer. A
 * refresh goes to the test server; GraphQL requests are answered in the process, as in S3:
 * 10,000 of them over loopback take half a minute on a loaded machine, and sockets' buffers are
 * no part of what the client holds.
 */
function holdingFetch(refreshUrl: string, holdsIn: HoldsIn) {
  let release = () => {};
  let released = Promise.resolve();
  let waiting = 0;
  let calls = 0;
  const holding: typeof fetch = async (input, init) => {
    calls++;
    const refresh = String(input) === refreshUrl;
    if (refresh || holdsIn === 'fetch') {
      waiting++;
      await released;
      waiting--;
    }
    return refresh ? fetch(input, init) : inProcessFetch(input, init);
  };
  return {
    fetch: holding,
    /** Requests wait from now on. */
    hold() {
      released = new Promise((resolve) => {
        release = resolve;
      });
    },
    release: () => release(),
    /** Changes while operations still move toward the held request. */
    state: () => `${calls} ${waiting}`,
    holding: () => waiting > 0,
  };
}

export async function measureMemory(
  name: string,
  create: ClientFactory,
  holdsIn: HoldsIn,
): Promise<MemoryRow> {
  const clock = clockOf();
  const server = await startServer({ accessTtlMs: TOKEN_TTL_MS }, clock);
  const network = holdingFetch(server.refreshUrl, holdsIn);
  const client = await create({
    url: server.url,
    refreshUrl: server.refreshUrl,
    tokens: server.tokens,
    now: clock.now,
    fetch: network.fetch,
  });

  /**
   * Expires the token, starts the operations behind a held refresh, calls `whileHeld`, lets them
   * settle and counts the failed ones (nothing of them is kept).
   */
  async function cycle(whileHeld: () => void = () => {}): Promise<number> {
    clock.advance(TOKEN_TTL_MS + 1000);
    network.hold();
    const operations = Array.from({ length: HELD_OPERATIONS }, (_, index) => client.query(index));
    let quiet = 0;
    let last = '';
    for (let turn = 0; quiet < QUIET_TURNS; turn++) {
      if (turn === MAX_TURNS) throw new Error(`memory: ${name} never held its operations`);
      await nextTurn();
      const now = network.state();
      quiet = now === last && network.holding() ? quiet + 1 : 0;
      last = now;
    }
    whileHeld();
    network.release();
    const outcomes: Outcome[] = await Promise.all(operations);
    return outcomes.filter((outcome) => !outcome.ok).length;
  }

  try {
    // One whole cycle first: JIT, and Apollo Client's bounded caches filled, before the baseline.
    await cycle();
    const before = heapUsed();
    let held = before;
    const errors = await cycle(() => {
      held = heapUsed();
    });
    return {
      name,
      operations: HELD_OPERATIONS,
      heldBytesPerOperation: (held - before) / HELD_OPERATIONS,
      retainedBytes: heapUsed() - before,
      errors,
    };
  } finally {
    await client.dispose();
    await server.close();
  }
}
