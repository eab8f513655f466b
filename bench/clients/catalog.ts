/**
 * Every client of the tables, in their order, as plain data: what it is and how it is wired. How
 * each is made lives in its own module, which only the process that measures it loads (`load.ts`).
 */

export const OURS = 'ours';
/** The peer with the same core as ours (Apollo Client 4 links): ours should be at or below it. */
export const ONE_FUTURE = 'one-future';
export const BARE_APOLLO = 'bare Apollo Client 4';

export interface ClientInfo {
  name: string;
  /** The GraphQL client it sits on. */
  base: 'Apollo Client 4' | 'Apollo Client 3' | 'urql 6';
  /** How it is wired, as its docs show. */
  wiring: string;
  /** It holds operations while a refresh runs: a row of the memory table. */
  holdsOperations: boolean;
  /** Its row of the Bundle table (ours comes from `scripts/size.mjs`). */
  bundle?: {
    /** Module code importing what its docs import. */
    source: string;
    /** Where `source` resolves from, relative to the repository. @default the repository */
    resolveDir?: string;
    /** The GraphQL client and its peers: never counted. */
    peers: string[];
    /** Its dependencies: counted in "with dependencies" only. */
    dependencies: string[];
    counted: string;
  };
}

const blogPostBundle = (exports: string) => ({
  source: `export { ${exports} } from './bench/clients/blog-post.ts';`,
  peers: ['@apollo/client', 'graphql', 'rxjs'],
  dependencies: [],
  counted: 'the link code only; the fetch of /refresh is left out, as for ours',
});

export const CLIENTS: ClientInfo[] = [
  {
    name: OURS,
    base: 'Apollo Client 4',
    wiring:
      '`createTokenRefreshLink(manager)` before `HttpLink`, `memoryStorage` seeded with the session (the README)',
    holdsOperations: true,
  },
  {
    name: 'naive',
    base: 'Apollo Client 4',
    wiring:
      '`SetContextLink` + `ErrorLink` refreshing on every `UNAUTHENTICATED`, retry by `forward`',
    holdsOperations: false,
    bundle: blogPostBundle('createBlogLink'),
  },
  {
    name: ONE_FUTURE,
    base: 'Apollo Client 4',
    wiring: 'naive with one shared refresh promise',
    holdsOperations: false,
    bundle: blogPostBundle('createBlogLink, shareOneRefresh'),
  },
  {
    name: 'legacy',
    base: 'Apollo Client 3',
    wiring: '`apollo-link-token-refresh` 0.7 (`isTokenValidOrUndefined` + `fetchAccessToken`)',
    holdsOperations: true,
    bundle: {
      source: "export { TokenRefreshLink } from 'apollo-link-token-refresh';",
      resolveDir: 'bench/legacy',
      peers: ['@apollo/client', 'graphql'],
      dependencies: ['tslib'],
      counted: 'tslib comes with @apollo/client 3',
    },
  },
  {
    name: 'urql',
    base: 'urql 6',
    wiring: '`@urql/exchange-auth` 3: `willAuthError` on expiry, `didAuthError`, `refreshAuth`',
    holdsOperations: true,
    bundle: {
      source: "export { authExchange } from '@urql/exchange-auth';",
      peers: ['@urql/core', 'graphql'],
      dependencies: ['wonka'],
      counted: 'wonka is also a dependency of @urql/core',
    },
  },
];

/** The bare client: S3's baseline and the memory table's reference, never a peer in a scenario. */
export const BARE: ClientInfo = {
  name: BARE_APOLLO,
  base: 'Apollo Client 4',
  wiring: 'a fixed `authorization` header and nothing else',
  holdsOperations: true,
};
