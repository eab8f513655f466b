import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * oidc-provider (the real OAuth server of test/oauth) prints this when it is imported on Node 20,
 * a runtime it no longer supports; the suites pass on it all the same. No option or environment
 * variable turns the message off, so this one message is kept out of the output.
 */
const OIDC_PROVIDER_RUNTIME_WARNING =
  'oidc-provider WARNING: Unsupported runtime. Use Node.js v22.x LTS, or a later LTS release.';

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
    onConsoleLog: (log, type) =>
      !(type === 'stderr' && log.includes(OIDC_PROVIDER_RUNTIME_WARNING)),
  },
});
