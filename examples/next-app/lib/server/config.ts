import 'server-only';

/** Read at request time (every page is dynamic), so one build serves any port. */
export function serverConfig() {
  const apiOrigin = process.env.API_ORIGIN ?? 'http://127.0.0.1:4000';
  const accessTtlMs = Number(process.env.ACCESS_TTL_MS ?? 20_000);
  return {
    /** Server-to-server GraphQL endpoint (server components and server rendering). */
    graphqlUrl: `${apiOrigin}/graphql`,
    /** What the client components get as props: nothing secret. */
    client: {
      /** Server rendering of client components queries the API directly. */
      serverGraphqlUrl: `${apiOrigin}/graphql`,
      wsUrl: process.env.PUBLIC_WS_URL ?? `${apiOrigin.replace(/^http/, 'ws')}/graphql`,
      // Refresh a quarter of a lifetime ahead (at most 30 s): short demo tokens stay usable.
      refreshBeforeExpiryMs: Math.min(30_000, Math.round(accessTtlMs / 4)),
      /** For the countdown bar only. */
      accessTtlMs,
    },
  };
}

export type ClientConfig = ReturnType<typeof serverConfig>['client'];
