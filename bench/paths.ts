/**
 * Where things are. The bench runs compiled into `bench/compiled/` (see `index.ts`), so
 * `import.meta.url` is that folder's, whichever source file these lines came from.
 */
import { fileURLToPath } from 'node:url';

const compiled = new URL('./', import.meta.url);

/** The repository, with a trailing slash. */
export const root = fileURLToPath(new URL('../../', compiled));
/** The compiled bench itself, which `run.ts` starts again for measures that need a fresh process. */
export const benchFile = fileURLToPath(new URL('run.mjs', compiled));
export const serverWorkerFile = new URL('server-worker.mjs', compiled);
/** `bench/legacy/client.ts`, compiled beside its own packages. */
export const legacyClientFile = new URL('../legacy/compiled/client.mjs', compiled);
export const legacyInstalled = new URL(
  '../legacy/node_modules/apollo-link-token-refresh/',
  compiled,
);
