/**
 * The Bundle table: what each client adds to an app, measured as `scripts/size.mjs` measures our
 * entries for their budgets (that script is the one source of budgets and of the measure).
 */
import { type Bytes, bundleBytes, type EntrySize, measureEntries } from '../scripts/size.mjs';
import type { ClientSpec } from './clients/types.js';
import { root } from './paths.js';

export interface BundleRow {
  name: string;
  own: Bytes;
  withDependencies: Bytes;
  counted: string;
}

/** Our entries against their budgets; a row for ours and for each of `clients` that has one. */
export async function measureBundles(
  clients: ClientSpec[],
): Promise<{ entries: EntrySize[]; rows: BundleRow[] }> {
  const entries = await measureEntries();
  const rows: BundleRow[] = [];
  const main = entries.find((entry) => entry.budget.entry === '.');
  if (main && !main.skipped && main.withDependencies) {
    rows.push({
      name: 'ours',
      own: main.own,
      withDependencies: main.withDependencies,
      counted: 'the whole `.` entry (token core, links, errors)',
    });
  }
  for (const { name, bundle } of clients) {
    if (!bundle) continue;
    const { source, resolveDir = root, peers, dependencies, counted } = bundle;
    rows.push({
      name,
      own: await bundleBytes({ source, resolveDir, external: [...peers, ...dependencies] }),
      withDependencies: await bundleBytes({ source, resolveDir, external: peers }),
      counted,
    });
  }
  return { entries, rows };
}
