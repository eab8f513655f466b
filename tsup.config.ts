import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { defineConfig, type Options } from 'tsup';

const common: Options = {
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  target: 'es2022',
  splitting: false,
  treeshake: true,
  external: ['@apollo/client', 'graphql', 'graphql-ws', 'rxjs', 'jose', 'p-queue'],
};

const sharedErrors = fileURLToPath(new URL('./src/shared/errors.ts', import.meta.url));

/**
 * The `./ws` and `./oauth` entries take the error classes from the main entry (package
 * self-reference, which `exports` resolves for both `import` and `require`) instead of bundling
 * a second copy: one `SessionExpiredError` class per module system, so `instanceof` works
 * across entries. Matched by the file an import names, so `shared/check.ts`'s `./errors.js`
 * is caught too.
 */
const errorsFromMainEntry: Plugin = {
  name: 'errors-from-main-entry',
  setup(build) {
    build.onResolve({ filter: /\/errors\.js$/ }, ({ path, resolveDir }) =>
      resolve(resolveDir, path.replace(/\.js$/, '.ts')) === sharedErrors
        ? { path: 'apollo-token-refresh', external: true }
        : undefined,
    );
  },
};

// One build per entry. None cleans: they run concurrently, and tsup's type build of one would
// delete the declaration files another had written. `npm run build` empties dist/ first.
export default defineConfig([
  { ...common, entry: { index: 'src/index.ts' } },
  { ...common, entry: { ws: 'src/ws.ts' }, esbuildPlugins: [errorsFromMainEntry] },
  { ...common, entry: { oauth: 'src/oauth.ts' }, esbuildPlugins: [errorsFromMainEntry] },
  // Hooks only: imports nothing of the main entry at run time (types only).
  { ...common, entry: { react: 'src/react.ts' }, external: [...(common.external ?? []), 'react'] },
]);
