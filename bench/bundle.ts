/**
 * Bundle row: what each client adds to an app, measured the way `scripts/size.mjs` measures our
 * entries for their budgets (that script is the one source of budgets and of the measure).
 */
import { type Bytes, bundleBytes, type EntrySize, measureEntries } from '../scripts/size.mjs';
import { root } from './paths.js';

export interface BundleRow {
  name: string;
  own: Bytes;
  withDependencies: Bytes;
  counted: string;
}

const apollo4 = ['@apollo/client', 'graphql', 'rxjs'];

/** The other clients: what their docs import, their GraphQL client and its peers left out. */
const peers = [
  {
    name: 'naive',
    source: "export { createBlogLink } from './bench/clients/blog-post.ts';",
    external: apollo4,
    dependencies: [],
    counted: 'the link code only; the fetch of /refresh is left out, as for ours',
  },
  {
    name: 'one-future',
    source: "export { createBlogLink, oneFuture } from './bench/clients/blog-post.ts';",
    external: apollo4,
    dependencies: [],
    counted: 'as naive',
  },
  {
    name: 'legacy',
    source: "export { TokenRefreshLink } from 'apollo-link-token-refresh';",
    resolveDir: `${root}bench/legacy`,
    external: ['@apollo/client', 'graphql'],
    dependencies: ['tslib'],
    counted: 'tslib comes with @apollo/client 3',
  },
  {
    name: 'urql',
    source: "export { authExchange } from '@urql/exchange-auth';",
    external: ['@urql/core', 'graphql'],
    dependencies: ['wonka'],
    counted: 'wonka is also a dependency of @urql/core',
  },
];

/** Our entries against their budgets, and a row per `installed` client. */
export async function measureBundles(
  installed: ReadonlySet<string>,
): Promise<{ entries: EntrySize[]; rows: BundleRow[] }> {
  const entries = await measureEntries();
  const rows: BundleRow[] = [];
  const main = entries.find((entry) => entry.budget.entry === '.');
  if (main && !main.skipped && main.withDependencies) {
    rows.push({
      name: 'ours',
      own: main.own,
      withDependencies: main.withDependencies,
      counted: 'the whole `.` entry (token core, links, errors)',
    });
  }
  for (const peer of peers) {
    if (!installed.has(peer.name)) continue;
    const options = { source: peer.source, resolveDir: peer.resolveDir ?? root };
    rows.push({
      name: peer.name,
      own: await bundleBytes({ ...options, external: [...peer.external, ...peer.dependencies] }),
      withDependencies: await bundleBytes({ ...options, external: peer.external }),
      counted: peer.counted,
    });
  }
  return { entries, rows };
}
