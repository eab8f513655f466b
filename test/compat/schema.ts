import { makeExecutableSchema } from '@graphql-tools/schema';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { ticks } from '../../fixtures/server/ticks.js';

const typeDefs = /* GraphQL */ `
  type Query {
    me: String!
    echo(n: Int!): Int!
  }
  type Mutation {
    "Counts its executions per client-chosen id; answers the count so far."
    record(id: ID!): Int!
  }
  type Subscription {
    ticks(intervalMs: Int = 20): Int!
  }
`;

/** What every server's resolvers get: the subject of the verified access token. */
export interface AuthContext {
  user: string | null;
}

export interface SharedSchema {
  schema: GraphQLSchema;
  /** Executions of `record(id)` per id: a mutation that ran twice (or never) shows here. */
  executions: Map<string, number>;
}

/**
 * The tiny schema every server of the suite serves. Subscriptions tick until the client leaves,
 * at most `MAX_TICKS` times (a bound, so a forgotten subscription still ends).
 */
export function createSharedSchema(): SharedSchema {
  const executions = new Map<string, number>();
  const schema = makeExecutableSchema<AuthContext>({
    typeDefs,
    resolvers: {
      Query: {
        me: (_: unknown, __: unknown, { user }: AuthContext) => {
          if (!user)
            throw new GraphQLError('Not signed in', { extensions: { code: 'UNAUTHENTICATED' } });
          return user;
        },
        echo: (_: unknown, { n }: { n: number }) => n,
      },
      Mutation: {
        record: (_: unknown, { id }: { id: string }) => {
          const count = (executions.get(id) ?? 0) + 1;
          executions.set(id, count);
          return count;
        },
      },
      Subscription: {
        ticks: {
          subscribe: (_: unknown, { intervalMs }: { intervalMs: number }) =>
            ticks(intervalMs, MAX_TICKS),
          resolve: (n: number) => n,
        },
      },
    },
  });
  return { schema, executions };
}

const MAX_TICKS = 20_000;
