/**
 * Memory: the heap each operation costs while it is held during a slow refresh, and whether
 * anything is left once they have settled. A fresh process started with `--expose-gc`; the test
 * server runs in a process of its own, so the heap is the client's. The bare Apollo Client 4 has
 * no refresh to wait for: its operations wait in `fetch`, which shows what Apollo Client itself
 * keeps per operation in flight.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { startServerProcess } from '../fixtures/server/process.js';
import type { ClientFactory } from './clients/types.js';
import { inProcessFetch } from './overhead.js';

export interface MemoryRow {
  name: string;
  operations: number;
  /** Heap per operation while all are held, over the heap before they started. */
  heldBytesPerOperation: number;
  /** Heap once they all settled, over the heap before they started. */
  retainedBytes: number;
  errors: number;
}

const HELD_OPERATIONS = 10_000;
/** The login token's lifetime; each cycle moves the clock past it, so each starts with a refresh. */
const TOKEN_TTL_MS = 60_000;
/** Turns of the event loop without a new request before the operations count as held. */
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
  create: ClientFactory,
  serverEntry: URL,
): Promise<MemoryRow> {
  // The app's clock and the server's, moved together past each token's expiry.
  let clock = Date.now();
  const server = await startServerProcess({ accessTtlMs: TOKEN_TTL_MS, clock }, serverEntry);
  // Every request waits for `release`: a slow refresh without a timer. GraphQL requests are
  // answered in the process, as in S3: sockets' buffers are no part of what the client holds.
  let release = () => {};
  let released = Promise.resolve();
  let requests = 0;
  let waiting = 0;
  const holdingFetch: typeof fetch = async (input, init) => {
    requests++;
    waiting++;
    await released;
    waiting--;
    return String(input) === server.refreshUrl ? fetch(input, init) : inProcessFetch(input, init);
  };
  const { url, refreshUrl } = server;
  const tokens = await server.call('login');
  const client = await create({ url, refreshUrl, tokens, now: () => clock, fetch: holdingFetch });

  /** Expires the token, holds the operations, calls `whileHeld`, lets them settle; the failed. */
  async function cycle(whileHeld = () => {}): Promise<number> {
    clock += TOKEN_TTL_MS + 1000;
    await server.call('setClock', clock);
    released = new Promise((resolve) => {
      release = resolve;
    });
    const operations = Array.from({ length: HELD_OPERATIONS }, (_, index) => client.query(index));
    let quiet = 0;
    for (let turn = 0, seen = -1; quiet < QUIET_TURNS; turn++, seen = requests) {
      if (turn === MAX_TURNS) throw new Error(`memory: ${name} never held its operations`);
      await nextTurn();
      quiet = requests === seen && waiting > 0 ? quiet + 1 : 0;
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
    const heldBytesPerOperation = (held - before) / HELD_OPERATIONS;
    const retainedBytes = heapUsed() - before;
    return { name, operations: HELD_OPERATIONS, heldBytesPerOperation, retainedBytes, errors };
  } finally {
    client.dispose();
    await server.close();
  }
}
