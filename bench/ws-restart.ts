/**
 * S5 (ours only): a graphql-ws subscription across token changes. From the manager's new token to
 * the first event on the socket that replaced the old one, against a cold subscribe on a fresh
 * client; the subscription must never see an error.
 */
import { TokenManager } from 'apollo-token-refresh';
import { type AuthWsClient, createAuthWsClient } from 'apollo-token-refresh/ws';
import { print } from 'graphql';
import { WebSocket } from 'ws';
import { TicksDocument } from '../fixtures/__generated__/graphql.js';
import { httpRefresh } from '../fixtures/server/refresh.js';
import { REFRESH_LATENCY_MS } from './scenarios.js';
import { clockOf, startServer } from './server.js';
import { type Spread, spread } from './stats.js';

export interface WsRestartResult {
  restarts: number;
  tickIntervalMs: number;
  /** The manager's `tokens` event → first event on the new socket. */
  fromTokensMs: Spread;
  /** `manager.refresh()` call → first event on the new socket. */
  fromRefreshCallMs: Spread;
  /** A fresh client: subscribe → first event (connect, init, ack, subscribe, tick). */
  coldSubscribeMs: Spread;
  /** Errors the subscription saw (exact: 0). */
  errors: number;
}

const TICK_INTERVAL_MS = 2;
const COLD_SUBSCRIBES = 10;
/** Every wait of this measure ends: a tick that never comes fails the run. */
const WAIT_LIMIT_MS = 5_000;
/** Ticks of the old socket that may still arrive before the new socket's first. */
const MAX_STALE_TICKS = 10_000;
const ticks = { query: print(TicksDocument), variables: { intervalMs: TICK_INTERVAL_MS } };

export async function measureWsRestart(restarts: number): Promise<WsRestartResult> {
  const server = await startServer({ refreshLatencyMs: REFRESH_LATENCY_MS }, clockOf());
  const manager = new TokenManager({ refresh: httpRefresh(server.refreshUrl) });
  const clients: AuthWsClient[] = [];
  const newClient = () => {
    const client = createAuthWsClient(manager, { url: server.wsUrl, webSocketImpl: WebSocket });
    clients.push(client);
    return client;
  };
  let errors = 0;
  // The time of the next tick of whichever subscription is open.
  let onTick = () => {};
  const nextTick = () =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('S5: no tick')), WAIT_LIMIT_MS);
      onTick = () => {
        clearTimeout(timer);
        onTick = () => {};
        resolve(performance.now());
      };
    });
  const sink = { next: () => onTick(), error: () => errors++, complete() {} };
  try {
    await manager.setTokens(server.tokens);
    const cold: number[] = [];
    for (let index = 0; index < COLD_SUBSCRIBES; index++) {
      const client = newClient();
      const started = performance.now();
      const first = nextTick();
      const stop = client.subscribe(ticks, sink);
      cold.push((await first) - started);
      stop();
      await client.dispose();
    }

    const client = newClient();
    let connections = 0;
    client.on('connected', () => connections++);
    let tokensAt = 0;
    manager.on('tokens', () => {
      tokensAt = performance.now();
    });
    const stop = client.subscribe(ticks, sink);
    await nextTick();
    const fromTokens: number[] = [];
    const fromCall: number[] = [];
    for (let index = 0; index < restarts; index++) {
      const connectionsBefore = connections;
      const called = performance.now();
      await manager.refresh();
      let firstOnNewSocket = 0;
      for (let stale = 0; !firstOnNewSocket && stale < MAX_STALE_TICKS; stale++) {
        const at = await nextTick();
        if (connections > connectionsBefore) firstOnNewSocket = at;
      }
      fromTokens.push(firstOnNewSocket - tokensAt);
      fromCall.push(firstOnNewSocket - called);
    }
    stop();
    return {
      restarts,
      tickIntervalMs: TICK_INTERVAL_MS,
      fromTokensMs: spread(fromTokens),
      fromRefreshCallMs: spread(fromCall),
      coldSubscribeMs: spread(cold),
      errors,
    };
  } finally {
    for (const client of clients) await client.dispose();
    manager.dispose();
    await server.close();
  }
}
