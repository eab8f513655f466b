// Size budgets, the one place they are defined: `node scripts/size.mjs` bundles each
// built entry with esbuild (minified, gzip level 9, peers external) and fails when one is over.
// The bench imports `BUDGETS` and `bundleBytes` for its bundle row and its bytes gate.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
/** The app already has these (peer dependencies); never counted. */
export const PEERS = ['@apollo/client', 'graphql', 'graphql-ws', 'rxjs', 'react'];
/** Our runtime dependencies: counted in `withDependencies` only. */
export const DEPENDENCIES = ['jose', 'p-queue'];

/**
 * Gzip budgets in bytes. `own`: our code alone; `withDependencies`: the entry with jose and
 * p-queue, what an app adds by importing it. An entry whose built file does not exist yet is
 * skipped with a printed line.
 *
 * `.` (the token manager, the three links, `createAuthFetch`, the errors) measures about
 * 7.2 KB own and 11.7 KB with its dependencies. What its bytes pay for beyond the refresh itself:
 * cross-tab refresh, the checks of every option and argument and errors that name what was
 * wrong, the cause of a failed refresh in its message with the session's tokens redacted, the
 * rules that keep an ended session ended. Its budget is that figure with about 3 % of headroom:
 * features come before bytes, and names stay full words (the minifier shortens them anyway).
 * `./ws` and `./react` have budgets of 2 KB and 0.5 KB.
 *
 * `./oauth` (oauth2Refresh) measured about 2.4 KB: the form request, Basic credentials, the
 * discovery of the token endpoint, the answer's checks and their error messages, and the
 * option checks; its budget is that figure plus about 10 %.
 */
export const BUDGETS = [
  { entry: '.', file: 'dist/index.js', own: 7400, withDependencies: 12050 },
  { entry: './ws', file: 'dist/ws.js', own: 2048 },
  { entry: './react', file: 'dist/react.js', own: 512 },
  { entry: './oauth', file: 'dist/oauth.js', own: 2650 },
];

/**
 * Minified and gzip bytes of `source` (module code, resolved from `resolveDir`) bundled for the
 * browser in production mode (Apollo Client 3 and urql drop their dev-only warnings then).
 */
export async function bundleBytes({ source, resolveDir = root, external }) {
  const result = await build({
    stdin: { contents: source, resolveDir, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    external,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

/**
 * Measures every built entry against its budget: `{ budget, own, withDependencies, ok }`, or
 * `{ budget, skipped: true }`. `./ws`, `./react` and `./oauth` import the errors from the main entry, which
 * is then not their own code.
 */
export async function measureEntries() {
  const rows = [];
  for (const budget of BUDGETS) {
    if (!existsSync(`${root}${budget.file}`)) {
      rows.push({ budget, skipped: true });
      continue;
    }
    const source = `export * from './${budget.file}';`;
    const own = await bundleBytes({
      source,
      external: [...PEERS, ...DEPENDENCIES, 'apollo-token-refresh'],
    });
    const withDependencies =
      budget.withDependencies === undefined
        ? undefined
        : await bundleBytes({ source, external: PEERS });
    const ok =
      own.gzip <= budget.own &&
      (withDependencies === undefined || withDependencies.gzip <= budget.withDependencies);
    rows.push({ budget, own, withDependencies, ok });
  }
  return rows;
}

/** One line per entry, as `npm test` prints them. */
export function sizeLine({ budget, skipped, own, withDependencies }) {
  const name = `size ${budget.entry.padEnd(7)}`;
  if (skipped) return `${name} skipped: ${budget.file} is not built yet`;
  const verdict = (bytes, limit) =>
    `${bytes.gzip} B gzip (${bytes.min} B min, budget ${limit}) ${bytes.gzip <= limit ? 'ok' : 'OVER'}`;
  const line = `${name} own ${verdict(own, budget.own)}`;
  return withDependencies
    ? `${line} | with jose + p-queue ${verdict(withDependencies, budget.withDependencies)}`
    : line;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await measureEntries();
  for (const row of rows) console.log(sizeLine(row));
  if (rows.some((row) => row.ok === false)) {
    console.error('size budget exceeded');
    process.exit(1);
  }
}
