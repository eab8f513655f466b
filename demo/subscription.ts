/**
 * The demo's live subscription: a `ticks` subscription through `createAuthWsClient` that should
 * keep flowing across every token change. `demo/index.ts` starts it and prints `summary()`.
 */
import type { TokenManager } from 'apollo-token-refresh';
import { createAuthWsClient } from 'apollo-token-refresh/ws';
import { print } from 'graphql';
import { WebSocket } from 'ws';
import {
  TicksDocument,
  type TicksSubscription,
  type TicksSubscriptionVariables,
} from '../fixtures/__generated__/graphql.js';

export interface TicksDemo {
  /** Ticks received so far. */
  readonly ticks: number;
  /** Sockets opened after the first one (one per token change, or per server re-auth close). */
  readonly reconnects: number;
  /** Errors the subscription saw (the point of the demo: 0 until logout). */
  readonly errors: number;
  /** `tokens` events of the manager while the demo ran. */
  readonly tokenChanges: number;
  /** The error codes seen, e.g. `['SESSION_EXPIRED']` after logout. */
  readonly errorCodes: string[];
  /** Resolves once `n` more ticks arrived; rejects after `timeoutMs` (default 5 s). */
  waitForTicks(n: number, timeoutMs?: number): Promise<void>;
  /** "ticks kept flowing across N token changes (…)". */
  summary(): string;
  /** Unsubscribes and closes the socket. */
  stop(): Promise<void>;
}

export function startTicksDemo(
  server: { wsUrl: string },
  manager: TokenManager,
  options: { intervalMs?: number } = {},
): TicksDemo {
  const client = createAuthWsClient(manager, { url: server.wsUrl, webSocketImpl: WebSocket });
  let ticks = 0;
  let connections = 0;
  let tokenChanges = 0;
  const errorCodes: string[] = [];
  let poke = () => {};
  client.on('connected', () => connections++);
  const offTokens = manager.on('tokens', () => tokenChanges++);
  const unsubscribe = client.subscribe<TicksSubscription, TicksSubscriptionVariables>(
    { query: print(TicksDocument), variables: { intervalMs: options.intervalMs ?? 100 } },
    {
      next: (r) => {
        if (r.errors) errorCodes.push('GRAPHQL');
        else ticks++;
        poke();
      },
      error: (e) => {
        const code = (e as { code?: unknown } | null)?.code;
        errorCodes.push(
          typeof code === 'string' || typeof code === 'number' ? String(code) : 'ERROR',
        );
        poke();
      },
      complete: () => {},
    },
  );
  return {
    get ticks() {
      return ticks;
    },
    get reconnects() {
      return Math.max(0, connections - 1);
    },
    get errors() {
      return errorCodes.length;
    },
    get tokenChanges() {
      return tokenChanges;
    },
    get errorCodes() {
      return [...errorCodes];
    },
    waitForTicks(n, timeoutMs = 5_000) {
      const target = ticks + n;
      return new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => {
          poke = () => {};
          reject(new Error(`demo: no ${n} ticks within ${timeoutMs} ms (errors: ${errorCodes})`));
        }, timeoutMs);
        poke = () => {
          if (ticks < target) return;
          clearTimeout(t);
          poke = () => {};
          resolve();
        };
        poke();
      });
    },
    summary() {
      return `ticks kept flowing across ${tokenChanges} token changes (${ticks} ticks, ${this.reconnects} reconnects, ${errorCodes.length} errors)`;
    },
    async stop() {
      offTokens();
      unsubscribe();
      await client.dispose();
    },
  };
}
