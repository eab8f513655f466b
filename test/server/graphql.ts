import { createRequire } from 'node:module';

/**
 * `graphql` as Node resolves it (the CJS build), the copy graphql-tools and graphql-ws load.
 * Vitest resolves a bare `import 'graphql'` to the ESM build instead: two realms, and
 * `instanceof` checks (GraphQLSchema, GraphQLError) fail across them.
 */
export const graphql: typeof import('graphql') = createRequire(import.meta.url)('graphql');
