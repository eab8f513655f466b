import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents (GraphQL Code Generator, client preset). `npm run codegen` rewrites the
 * committed output; a field that is not in the schema fails codegen, and reading a field the
 * document did not select fails `tsc`.
 */
const shared = {
  preset: 'client',
  presetConfig: { fragmentMasking: false },
  config: { useTypeImports: true, enumsAsTypes: true, avoidOptionals: true },
} as const;

const config: CodegenConfig = {
  overwrite: true,
  ignoreNoDocuments: true,
  generates: {
    // The Next.js example: its own schema file, as an app would have.
    'examples/next-app/lib/__generated__/': {
      ...shared,
      schema: 'examples/next-app/server/schema.graphql',
      documents: 'examples/next-app/lib/operations.graphql',
    },
    // The tests: the test server's schema (read from its `typeDefs`), NodeNext-style imports.
    'fixtures/__generated__/': {
      ...shared,
      schema: 'fixtures/server/schema.ts',
      documents: 'fixtures/operations.graphql',
      config: { ...shared.config, emitLegacyCommonJSImports: false },
    },
  },
};

export default config;
