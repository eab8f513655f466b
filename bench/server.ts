/**
 * The test server (`fixtures/server`) on a worker thread of its own, as a real server runs on
 * another machine: a client's wall time then measures the client and the network path, not the
 * client queued behind the server's share of one event loop. The thread (`server-worker.ts`) runs
 * one server at a time and answers one call at a time, as the bench makes them.
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

export type Call =
  | { op: 'start'; setup: ServerSetup; clock: SharedArrayBuffer }
  | { op: 'counters' | 'close' };
export type Reply = { value?: unknown; error?: string };

let thread: Worker | undefined;

/** The thread keeps the process alive only while a call waits for it; one that crashed is replaced. */
function call<T>(message: Call): Promise<T> {
  thread ??= new Worker(serverWorkerFile);
  const worker = thread;
  worker.ref();
  return new Promise<T>((resolve, reject) => {
    const answered = ({ value, error }: Reply) => {
      worker.off('error', crashed);
      worker.unref();
      if (error === undefined) resolve(value as T);
      else reject(new Error(error));
    };
    const crashed = (error: Error) => {
      worker.off('message', answered);
      thread = undefined;
      reject(error);
    };
    worker.once('message', answered);
    worker.once('error', crashed);
    worker.postMessage(message);
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
