import { addMocksToSchema } from '@graphql-tools/mock';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { graphql } from './graphql.js';
import { ticks } from './ticks.js';

export const typeDefs = /* GraphQL */ `
  type User {
    id: ID!
    name: String!
  }
  type Item {
    id: ID!
    title: String!
    price: Float!
  }
  type Query {
    me: User!
    echo(n: Int!): Int!
    item(id: ID!): Item!
  }
  type Mutation {
    rename(name: String!): User!
  }
  type Subscription {
    ticks(intervalMs: Int = 100, limit: Int): Int!
  }
`;

/** What resolvers see: the user of the verified token, `null` for a tokenless `Public*` operation. */
export interface Context {
  user: string | null;
}

const who = (ctx: Context) => {
  if (ctx.user === null)
    throw new graphql.GraphQLError('Not logged in', { extensions: { code: 'UNAUTHENTICATED' } });
  return ctx.user;
};

/** A mocked schema with real `me`, `echo`, `rename`, `ticks` and `item.id`. Names live per schema (per server). */
export function createSchema(): GraphQLSchema {
  const names = new Map<string, string>();
  const user = (id: string) => ({ id, name: names.get(id) ?? id });
  const schema = makeExecutableSchema<Context>({
    typeDefs,
    resolvers: {
      Query: {
        me: (_: unknown, __: unknown, ctx: Context) => user(who(ctx)),
        echo: (_: unknown, { n }: { n: number }) => n,
        // The id as asked (cache normalisation); `title` and `price` come from the mocks.
        item: (_: unknown, { id }: { id: string }) => ({ id }),
      },
      Mutation: {
        rename: (_: unknown, { name }: { name: string }, ctx: Context) => {
          names.set(who(ctx), name);
          return user(who(ctx));
        },
      },
      Subscription: {
        ticks: {
          subscribe: (_: unknown, a: { intervalMs: number; limit?: number | null }) =>
            ticks(a.intervalMs, a.limit ?? null),
          resolve: (n: number) => n,
        },
      },
    },
  });
  return addMocksToSchema({
    schema,
    preserveResolvers: true,
    mocks: { Float: () => 9.99, String: () => 'Hello World' },
  });
}
