import { existsSync } from 'node:fs';
import type { ClientFactory } from '../types.js';

const dir = new URL('../../legacy/', import.meta.url);

export interface LegacyModule {
  legacyClient: ClientFactory;
  apollo3Bare: ClientFactory;
}

/**
 * Loads `bench/legacy/client.ts` when its own `node_modules` is installed (`npm run
 * bench:install`), or `null`. The path is computed so the root type-check does not follow it
 * into Apollo Client 3 types.
 */
export async function loadLegacy(): Promise<LegacyModule | null> {
  if (!existsSync(new URL('node_modules/apollo-link-token-refresh/package.json', dir))) return null;
  return (await import(new URL('client.ts', dir).href)) as LegacyModule;
}
