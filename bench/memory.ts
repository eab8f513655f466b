/**
 * Memory: the heap each operation costs while it is held during a slow refresh, and whether
 * anything is left once they have settled. Runs in a fresh process started with `--expose-gc`,
 * the test server in a process of its own: the heap is the client's. The bare Apollo Client 4 has
 * no refresh to wait for: its operations are held in `fetch`, which shows what Apollo Client
 * itself keeps per operation in flight, and every client on it pays too.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { startServerProcess } from '../fixtures/server/process.js';
import type { ClientModule } from './clients/types.js';
import { inProcessFetch } from './overhead.js';

export interface MemoryRow {
  name: string;
  operations: number;
  /** Heap per operation while all are held, over the heap before they started. */
  heldBytesPerOperation: number;
  /** Heap once they all settled, over the heap before they started: growth. */
  retainedBytes: number;
  errors: number;
}

/** Operations held at once. */
const HELD_OPERATIONS = 10_000;
/** The login token's lifetime; each cycle moves the clock past it, so each starts with a refresh. */
const TOKEN_TTL_MS = 60_000;
/** Turns of the event loop in which no request may come before the operations count as held. */
const QUIET_TURNS = 20;
const MAX_TURNS = 100_000;

function heapUsed(): number {
  const { gc } = globalThis as { gc?: () => void };
  if (!gc) throw new Error('memory: run with node --expose-gc');
  // Twice: the first pass may leave what finalizers of the first free.
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export async function measureMemory(
  name: string,
  module: ClientModule,
  serverEntry: URL,
): Promise<MemoryRow> {
  // The app's clock and the server's, moved together past each token's expiry.
  let clock = Date.now();
  const server = await startServerProcess({ accessTtlMs: TOKEN_TTL_MS, clock }, serverEntry);
  const { url, refreshUrl } = server;
  const tokens = await server.call('login');
  // Every request waits for `release`: a slow refresh without a timer. A refresh then goes to the
  // test server; GraphQL requests are answered in the process, as in S3: 10,000 of them over
  // loopback take half a minute on a loaded machine, and sockets' buffers are no part of what
  // the client holds.
  let release = () => {};
  let released = Promise.resolve();
  let requests = 0;
  let waiting = 0;
  const holdingFetch: typeof fetch = async (input, init) => {
    requests++;
    waiting++;
    await released;
    waiting--;
    return String(input) === refreshUrl ? fetch(input, init) : inProcessFetch(input, init);
  };
  const client = await module.create({
    url,
    refreshUrl,
    tokens,
    now: () => clock,
    fetch: holdingFetch,
  });

  /**
   * Expires the token, starts the operations behind a held request, calls `whileHeld`, lets them
   * settle and counts the failed ones (nothing of them is kept).
   */
  async function cycle(whileHeld = () => {}): Promise<number> {
    clock += TOKEN_TTL_MS + 1000;
    await server.call('setClock', clock);
    released = new Promise((resolve) => {
      release = resolve;
    });
    const operations = Array.from({ length: HELD_OPERATIONS }, (_, index) => client.query(index));
    let quiet = 0;
    let seen = -1;
    for (let turn = 0; quiet < QUIET_TURNS; turn++) {
      if (turn === MAX_TURNS) throw new Error(`memory: ${name} never held its operations`);
      await nextTurn();
      quiet = requests === seen && waiting > 0 ? quiet + 1 : 0;
      seen = requests;
    }
    whileHeld();
    release();
    const outcomes = await Promise.allSettled(operations);
    return outcomes.filter((outcome) => outcome.status === 'rejected').length;
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
    client.dispose();
    await server.close();
  }
}
