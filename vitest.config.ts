import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // graphql ships ESM and CJS builds; vitest would load the ESM one for our imports while
  // graphql-tools, graphql-ws and Apollo load the CJS one, and the two copies break graphql's
  // own instanceof checks. One copy for everyone.
  resolve: {
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
    // The demo imports the package by its name, as users do: resolve it to the sources, as tsc
    // and tsx do through tsconfig `paths`, so tests never depend on a build in dist/.
    tsconfigPaths: true,
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
