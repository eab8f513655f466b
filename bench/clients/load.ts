/**
 * The clients by name, each imported in the process that measures it and no other: a process
 * loads one client's packages and runs one client's code, as an app does.
 */
import type { ClientFactory } from './types.js';

export const OURS = 'ours';
/** The peer on the same core as ours (Apollo Client 4 links): ours should be at or below it. */
export const ONE_FUTURE = 'one-future';
/** S3's baseline and the memory table's reference; never a peer in a scenario. */
export const BARE = 'bare Apollo Client 4';
/** The clients of the scenarios, in the tables' order. */
export const CLIENTS = [OURS, 'naive', ONE_FUTURE, 'legacy', 'urql'];
/** On Apollo Client 4, as the bare client, which S3 compares them with. */
export const ON_APOLLO_4 = [OURS, 'naive', ONE_FUTURE];
/** The clients that hold operations while a refresh runs: the memory table's. */
export const HOLDING = [OURS, 'legacy', 'urql'];

/** `bench/legacy/client.ts`, compiled beside its own packages (`npm run bench:install`). */
const legacyModule = new URL('../legacy/compiled/client.mjs', import.meta.url);

export async function loadClient(name: string): Promise<ClientFactory> {
  switch (name) {
    case OURS:
      return (await import('./ours.js')).ours;
    case 'naive':
      return (await import('./blog-post.js')).naive;
    case ONE_FUTURE:
      return (await import('./blog-post.js')).oneFuture;
    case 'legacy':
      return ((await import(legacyModule.href)) as { legacy: ClientFactory }).legacy;
    case 'urql':
      return (await import('./urql.js')).urql;
    case BARE:
      return (await import('./apollo.js')).bareApollo;
    default:
      throw new Error(`bench: no client named ${name}`);
  }
}
