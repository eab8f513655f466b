/**
 * The Bundle table: what each client adds to an app, measured as `scripts/size.mjs` measures our
 * entries for their budgets (that script is the one place of the budgets and of the measure).
 */
import { type Bytes, bundleBytes, type EntrySize, measureEntries } from '../scripts/size.mjs';
import { root } from './children.js';
import { CLIENTS, OURS } from './clients/catalog.js';

export interface BundleRow {
  name: string;
  own: Bytes;
  withDependencies: Bytes;
  counted: string;
}

/** Our entries against their budgets; a row for ours and for each peer. */
export async function measureBundles(
  names: string[],
): Promise<{ entries: EntrySize[]; rows: BundleRow[] }> {
  const entries = await measureEntries();
  const rows: BundleRow[] = [];
  const main = entries.find((entry) => entry.budget.entry === '.');
  if (names.includes(OURS) && main && !main.skipped && main.withDependencies) {
    const counted = 'the whole `.` entry (token core, links, errors)';
    rows.push({ name: OURS, own: main.own, withDependencies: main.withDependencies, counted });
  }
  for (const { name, bundle } of CLIENTS) {
    if (!bundle || !names.includes(name)) continue;
    const { source, peers, dependencies, counted } = bundle;
    const resolveDir = `${root}${bundle.resolveDir ?? ''}`;
    rows.push({
      name,
      own: await bundleBytes({ source, resolveDir, external: [...peers, ...dependencies] }),
      withDependencies: await bundleBytes({ source, resolveDir, external: peers }),
      counted,
    });
  }
  return { entries, rows };
}
