/**
 * The test server (`fixtures/server`) on a worker thread of its own, as a real server runs on
 * another machine: a client's wall time then measures the client and the network path, not the
 * client queued behind the server's share of one event loop. The thread runs `server-worker.ts`.
 */
import { Worker } from 'node:worker_threads';
import type { TestServerCounters, TestServerOptions } from '../fixtures/server/types.js';
import type { AppTokens } from './clients/types.js';
import { serverWorkerFile } from './paths.js';

/** Real time plus an offset that `advance` moves, in memory shared with the server thread. */
export interface Clock {
  now: () => number;
  advance(ms: number): void;
  readonly buffer: SharedArrayBuffer;
}

export function clockOf(buffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)): Clock {
  const offset = new Int32Array(buffer);
  return {
    now: () => Date.now() + Atomics.load(offset, 0),
    advance: (ms) => void Atomics.add(offset, 0, Math.round(ms)),
    buffer,
  };
}

export interface ServerSetup extends Omit<TestServerOptions, 'now'> {
  /** The session the app starts with: as the login gives it, expired, or revoked by the server. */
  session?: 'valid' | 'expired' | 'revoked';
  /** `/refresh` answers 401 (the refresh token is refused). */
  refuseRefresh?: boolean;
}

export type Counters = Pick<
  TestServerCounters,
  'requests' | 'unauthorized' | 'refreshes' | 'maxConcurrentRefreshes'
>;

export interface StartedServer {
  url: string;
  refreshUrl: string;
  wsUrl: string;
  tokens: AppTokens;
}

/** A message to the server thread, and its answer. */
type Message =
  | { op: 'start'; setup: ServerSetup; clock: SharedArrayBuffer }
  | { op: 'counters' | 'close' };
export type Call = Message & { id: number };
export type Reply = { id: number; value?: unknown; error?: string };

let thread: Worker | undefined;
let nextId = 0;
const pending = new Map<number, (reply: Reply) => void>();

/** The one server thread of the process, kept alive only while a call waits for it. */
function serverThread(): Worker {
  if (thread) return thread;
  const worker = new Worker(serverWorkerFile);
  worker.unref();
  worker.on('message', (reply: Reply) => {
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
    if (!pending.size) worker.unref();
  });
  // A crashed thread fails the calls waiting for it; the next call starts a new one.
  const lost = (why: string) => {
    for (const settle of pending.values()) settle({ id: -1, error: `server thread: ${why}` });
    pending.clear();
    thread = undefined;
  };
  worker.on('error', (error) => lost(String(error)));
  worker.on('exit', (code) => lost(`exited with code ${code}`));
  thread = worker;
  return worker;
}

function call<T>(message: Message): Promise<T> {
  const worker = serverThread();
  const id = nextId++;
  worker.ref();
  return new Promise((resolve, reject) => {
    pending.set(id, ({ value, error }) =>
      error === undefined ? resolve(value as T) : reject(new Error(error)),
    );
    worker.postMessage({ ...message, id });
  });
}

/** A fresh test server on the server thread, on `clock`'s time, set up as `setup` says. */
export async function startServer(setup: ServerSetup, clock: Clock) {
  const started = await call<StartedServer>({ op: 'start', setup, clock: clock.buffer });
  return {
    ...started,
    counters: () => call<Counters>({ op: 'counters' }),
    close: () => call<void>({ op: 'close' }),
  };
}
