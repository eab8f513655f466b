/**
 * A client's module by its name, imported in the process that measures it and no other: a process
 * loads one client's packages and runs one client's code, as an app does.
 */
import { BARE_APOLLO, ONE_FUTURE, OURS } from './catalog.js';
import type { ClientModule } from './types.js';

/** `bench/legacy/client.ts`, compiled beside its own packages (`npm run bench:install`). */
const legacyModule = new URL('../legacy/compiled/client.mjs', import.meta.url);

export async function loadClient(name: string): Promise<ClientModule> {
  switch (name) {
    case OURS:
      return import('./ours.js');
    case 'naive':
      return (await import('./blog-post.js')).naiveClient;
    case ONE_FUTURE:
      return (await import('./blog-post.js')).oneFutureClient;
    case 'legacy':
      return import(legacyModule.href) as Promise<ClientModule>;
    case 'urql':
      return import('./urql.js');
    case BARE_APOLLO: {
      const { bareApolloClient } = await import('./apollo.js');
      return { create: bareApolloClient, bare: bareApolloClient };
    }
    default:
      throw new Error(`bench: no client named ${name}`);
  }
}
