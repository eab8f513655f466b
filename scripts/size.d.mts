// Types of `size.mjs` for the bench, which imports its budgets and its measure.
export interface Bytes {
  min: number;
  gzip: number;
}
export interface Budget {
  entry: string;
  file: string;
  own: number;
  withDependencies?: number;
}
export type EntrySize =
  | { budget: Budget; skipped: true }
  | { budget: Budget; skipped?: undefined; own: Bytes; withDependencies?: Bytes; ok: boolean };
export const PEERS: string[];
export const DEPENDENCIES: string[];
export const BUDGETS: Budget[];
export function bundleBytes(options: {
  source: string;
  resolveDir?: string;
  external: string[];
}): Promise<Bytes>;
export function measureEntries(): Promise<EntrySize[]>;
export function sizeLine(row: EntrySize): string;
