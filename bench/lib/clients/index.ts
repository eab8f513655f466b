import type { ClientFactory } from '../types.js';
import {
  apollo4Bare,
  apollo4RefClient,
  naiveClient,
  oneFutureClient,
  oursClient,
} from './apollo4.js';
import { loadLegacy } from './legacy.js';
import { urqlAuthClient, urqlBare } from './urql.js';

/** The GraphQL client a refresh solution sits on; S3 compares it with that client alone. */
export type Base = 'Apollo Client 4' | 'Apollo Client 3' | 'urql 6';

/** Name of the reference client: shown, never compared with in the targets. */
export const REF = 'apollo4-ref';

export interface ClientSpec {
  name: string;
  base: Base;
  create: ClientFactory;
}

export interface Registry {
  clients: ClientSpec[];
  bare: Partial<Record<Base, ClientFactory>>;
  notes: string[];
}

/** `ref`: add the Apollo Client 4 reference client (see `apollo4RefClient`). */
export async function loadClients(ref = false): Promise<Registry> {
  const clients: ClientSpec[] = [
    { name: 'ours', base: 'Apollo Client 4', create: oursClient },
    { name: 'naive', base: 'Apollo Client 4', create: naiveClient },
    { name: 'one-future', base: 'Apollo Client 4', create: oneFutureClient },
  ];
  const bare: Registry['bare'] = { 'Apollo Client 4': apollo4Bare, 'urql 6': urqlBare };
  const notes: string[] = [];
  const legacy = await loadLegacy();
  if (legacy) {
    clients.push({ name: 'legacy', base: 'Apollo Client 3', create: legacy.legacyClient });
    bare['Apollo Client 3'] = legacy.apollo3Bare;
  } else {
    notes.push('legacy skipped: run `npm run bench:install` to install bench/legacy');
  }
  clients.push({ name: 'urql', base: 'urql 6', create: urqlAuthClient });
  if (ref) clients.push({ name: REF, base: 'Apollo Client 4', create: apollo4RefClient });
  return { clients, bare, notes };
}
