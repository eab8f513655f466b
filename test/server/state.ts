import type { GraphQLSchema } from 'graphql';
import type { Jwt } from './jwt.js';
import type { Sessions } from './sessions.js';
import type { TestServerCounters, TestServerKnobs } from './types.js';

/** What the routes share: one per server. */
export interface State {
  ttl: number;
  rotate: boolean;
  jwt: Jwt;
  sessions: Sessions;
  schema: GraphQLSchema;
  knobs: TestServerKnobs;
  counters: TestServerCounters;
  /** Resolves after `ms` of real time; never once the server is down. */
  wait(ms: number): Promise<void>;
  /** The user of a valid, unrevoked token; `null` otherwise or while `rejectAllTokens`. */
  auth(token: string | null): Promise<{ user: string; exp: number | undefined } | null>;
}
