import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cache = `${root}node_modules/.cache/apollo-token-refresh-bench/`;
const loaded = new Map<string, Promise<unknown>>();

/**
 * Imports `entry` (relative to the repo root) compiled to plain JavaScript the way a package
 * ships, packages left external. Running TypeScript through tsx instead would add its
 * `__name` helper calls to every closure: a cost the published code does not have, and the
 * happy-path scenario measures single microseconds. The file lands in node_modules so its
 * imports resolve to the same @apollo/client as the harness.
 */
export function compiled<T>(entry: string): Promise<T> {
  let p = loaded.get(entry);
  if (!p) {
    p = compiledFile(entry).then((file) => import(pathToFileURL(file).href));
    loaded.set(entry, p);
  }
  return p as Promise<T>;
}

/** Compiles `entry` as `compiled` does and resolves with the output file's path. */
export async function compiledFile(entry: string): Promise<string> {
  const outfile = `${cache}${entry.replace(/[^\w.-]+/g, '_')}.mjs`;
  await build({
    entryPoints: [`${root}${entry}`],
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}
