/**
 * The test server on a worker thread of its own, as a real server runs on another machine:
 * the clients' wall time then measures the clients and the network path, not the clients
 * waiting for the server's share of one event loop. This is the main thread's side; the
 * worker runs `server-worker.ts`.
 */
import { Worker } from 'node:worker_threads';
import type {
  TestServerCounters,
  TestServerKnobs,
  TestServerOptions,
} from '../../fixtures/server/types.js';
import { compiledFile } from './clients/compiled.js';
import type { Clock } from './clock.js';
import type { AppTokens } from './types.js';

/** The counters the scenarios report. */
export type BenchCounters = Pick<
  TestServerCounters,
  'requests' | 'unauthorized' | 'refreshes' | 'maxConcurrentRefreshes'
>;

/** What the scenarios use of the test server, every call crossing to the server's thread. */
export interface BenchServer {
  url: string;
  refreshUrl: string;
  login(): Promise<AppTokens>;
  signAccessToken(options: { ttlMs: number }): Promise<string>;
  revokeAccessToken(accessToken: string): Promise<void>;
  setKnobs(knobs: Partial<Pick<TestServerKnobs, 'refresh'>>): Promise<void>;
  resetCounters(): Promise<void>;
  counters(): Promise<BenchCounters>;
  close(): Promise<void>;
}

export type Options = Omit<TestServerOptions, 'now'>;

/** The worker's operations; `start` must come first, `close` last. */
export interface Calls {
  start(options: Options, clock: SharedArrayBuffer): Promise<{ url: string; refreshUrl: string }>;
  login(): Promise<AppTokens>;
  signAccessToken(options: { ttlMs: number }): Promise<string>;
  revokeAccessToken(accessToken: string): void;
  setKnobs(knobs: Partial<TestServerKnobs>): void;
  resetCounters(): void;
  counters(): BenchCounters;
  close(): Promise<void>;
}
export type Call = {
  [K in keyof Calls]: { id: number; op: K; args: Parameters<Calls[K]> };
}[keyof Calls];
export type Reply = { id: number; value?: unknown; error?: string };

let worker: Promise<Worker> | undefined;
let nextId = 0;
const pending = new Map<number, (reply: Reply) => void>();

/**
 * The one worker of the whole bench, started on first use. It keeps the process alive only
 * while a call waits for it, so the bench exits when it is done.
 */
function serverWorker(): Promise<Worker> {
  worker ??= compiledFile('bench/lib/server-worker.ts').then((file) => {
    // Compiled first: tsx's loader does not reach worker threads on Node 20.
    const w = new Worker(file);
    w.unref();
    w.on('message', (reply: Reply) => {
      pending.get(reply.id)?.(reply);
      pending.delete(reply.id);
      if (!pending.size) w.unref();
    });
    // A crashed or exited worker fails the calls waiting for it; the next call starts a new one.
    const lost = (why: string) => {
      for (const settle of pending.values()) settle({ id: -1, error: `server thread: ${why}` });
      pending.clear();
      worker = undefined;
    };
    w.on('error', (e) => lost(String(e)));
    w.on('exit', (code) => lost(`exited with code ${code}`));
    return w;
  });
  return worker;
}

type Result<K extends keyof Calls> = Awaited<ReturnType<Calls[K]>>;

async function call<K extends keyof Calls>(
  op: K,
  ...args: Parameters<Calls[K]>
): Promise<Result<K>> {
  const w = await serverWorker();
  const id = nextId++;
  w.ref();
  return new Promise<Result<K>>((resolve, reject) => {
    pending.set(id, (r) =>
      r.error === undefined ? resolve(r.value as Result<K>) : reject(new Error(r.error)),
    );
    w.postMessage({ id, op, args });
  });
}

/** Starts a fresh test server on the server thread, on `clock`'s time. One at a time. */
export async function startServerThread(options: Options, clock: Clock): Promise<BenchServer> {
  const { url, refreshUrl } = await call('start', options, clock.buffer);
  return {
    url,
    refreshUrl,
    login: () => call('login'),
    signAccessToken: (o) => call('signAccessToken', o),
    revokeAccessToken: (t) => call('revokeAccessToken', t),
    setKnobs: (k) => call('setKnobs', k),
    resetCounters: () => call('resetCounters'),
    counters: () => call('counters'),
    close: () => call('close'),
  };
}
