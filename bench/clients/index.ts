/** Every client of the tables, in their order; each is one file of this folder (or `bench/legacy`). */
import { existsSync } from 'node:fs';
import { legacyClientFile, legacyInstalled } from '../paths.js';
import { bareApollo } from './apollo.js';
import { naiveClient, oneFutureClient } from './blog-post.js';
import { ours } from './ours.js';
import type { ClientSpec } from './types.js';
import { urqlWithAuthExchange } from './urql.js';

export { bareApollo };
export const OURS = ours.name;
export const BARE_APOLLO = bareApollo.name;

/** legacy comes from its own package, and only once `npm run bench:install` installed it. */
export async function loadClients(): Promise<{ clients: ClientSpec[]; notes: string[] }> {
  const apollo4 = [ours, naiveClient, oneFutureClient];
  if (!existsSync(legacyInstalled)) {
    return {
      clients: [...apollo4, urqlWithAuthExchange],
      notes: ['legacy skipped: run `npm run bench:install` to install bench/legacy'],
    };
  }
  const { legacyClient } = (await import(legacyClientFile.href)) as { legacyClient: ClientSpec };
  return { clients: [...apollo4, legacyClient, urqlWithAuthExchange], notes: [] };
}
