/** Every client of the bench, in the order of the tables. */
import { existsSync } from 'node:fs';
import { legacyClientFile, legacyInstalled } from '../paths.js';
import { bareApolloClient } from './apollo.js';
import { naiveClient, oneFutureClient } from './blog-post.js';
import { oursClient } from './ours.js';
import type { ClientFactory } from './types.js';
import { bareUrqlClient, urqlClientWithAuth } from './urql.js';

/** The GraphQL client a refresh solution sits on; S3 compares it with that client bare. */
export type Base = 'Apollo Client 4' | 'Apollo Client 3' | 'urql 6';

export const OURS = 'ours';
/** Apollo Client 4 with the header alone: S3's baseline and S0's only client. */
export const BARE_APOLLO = 'bare Apollo Client 4';

export interface ClientSpec {
  name: string;
  base: Base;
  /** What the client is, for the report. */
  wiring: string;
  create: ClientFactory;
}

export interface Clients {
  clients: ClientSpec[];
  /** Each base with a fixed `authorization` header and nothing else. */
  bare: Partial<Record<Base, ClientFactory>>;
  notes: string[];
}

export const bareApollo: ClientSpec = {
  name: BARE_APOLLO,
  base: 'Apollo Client 4',
  wiring: 'the header alone',
  create: bareApolloClient,
};

/** What `bench/legacy/client.ts` exports; declared here so the root type-check stays out of Apollo Client 3. */
interface LegacyModule {
  legacyClient: ClientFactory;
  bareApollo3Client: ClientFactory;
}

export async function loadClients(): Promise<Clients> {
  const clients: ClientSpec[] = [
    {
      name: OURS,
      base: 'Apollo Client 4',
      wiring: '`createTokenRefreshLink(manager)` + `HttpLink`, default options',
      create: oursClient,
    },
    {
      name: 'naive',
      base: 'Apollo Client 4',
      wiring:
        '`SetContextLink` + `ErrorLink` refreshing on every `UNAUTHENTICATED`, retry by `forward`',
      create: naiveClient,
    },
    {
      name: 'one-future',
      base: 'Apollo Client 4',
      wiring: 'naive with one shared refresh promise',
      create: oneFutureClient,
    },
  ];
  const bare: Clients['bare'] = { 'Apollo Client 4': bareApolloClient, 'urql 6': bareUrqlClient };
  const notes: string[] = [];
  if (existsSync(legacyInstalled)) {
    const legacy = (await import(legacyClientFile.href)) as LegacyModule;
    clients.push({
      name: 'legacy',
      base: 'Apollo Client 3',
      wiring: '`apollo-link-token-refresh` 0.7 (`isTokenValidOrUndefined` + `fetchAccessToken`)',
      create: legacy.legacyClient,
    });
    bare['Apollo Client 3'] = legacy.bareApollo3Client;
  } else {
    notes.push('legacy skipped: run `npm run bench:install` to install bench/legacy');
  }
  clients.push({
    name: 'urql',
    base: 'urql 6',
    wiring: '`@urql/exchange-auth` 3: `willAuthError` on expiry, `didAuthError`, `refreshAuth`',
    create: urqlClientWithAuth,
  });
  return { clients, bare, notes };
}
