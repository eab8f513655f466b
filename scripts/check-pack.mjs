// The package as `npm publish` ships it. Packs this directory, which runs `prepack` (so a fresh
// clone builds dist/ first), and fails unless the tarball holds every file package.json points
// to: each `exports` target, `main`, `module` and `types`. The tarball is left at
// .vitest-tmp/pack/package.tgz (git-ignored) for attw, so the package is built once per check.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const DIRECTORY = '.vitest-tmp/pack';
const TARBALL = join(DIRECTORY, 'package.tgz');

/** The paths in a tar archive (ustar: 512-byte headers, name and prefix fields). */
function tarEntries(archive) {
  const entries = [];
  const text = (start, length) =>
    archive
      .subarray(start, start + length)
      .toString('utf8')
      .replace(/\0.*$/s, '');
  for (let offset = 0; offset + 512 <= archive.length; ) {
    const name = text(offset, 100);
    if (!name) break; // two zero blocks end the archive
    const prefix = text(offset + 345, 155);
    const size = Number.parseInt(text(offset + 124, 12).trim() || '0', 8);
    entries.push(prefix ? `${prefix}/${name}` : name);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

/** Every file path in an `exports` value: strings, nested conditions, subpaths. */
function exportTargets(value) {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

rmSync(DIRECTORY, { recursive: true, force: true });
mkdirSync(DIRECTORY, { recursive: true });
// Lifecycle output (the build) goes to this process's output; npm prints the file name last.
execFileSync('npm', ['pack', '--pack-destination', DIRECTORY], { stdio: 'inherit' });
const [packed] = readdirSync(DIRECTORY).filter((name) => name.endsWith('.tgz'));
if (!packed) throw new Error(`npm pack wrote no tarball to ${DIRECTORY}`);
renameSync(join(DIRECTORY, packed), TARBALL);

const files = new Set(
  tarEntries(gunzipSync(readFileSync(TARBALL))).map((path) => path.replace(/^package\//, '')),
);
const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const expected = [
  ...exportTargets(manifest.exports),
  manifest.main,
  manifest.module,
  manifest.types,
].filter((path) => typeof path === 'string');
const missing = [...new Set(expected)]
  .map((path) => path.replace(/^\.\//, ''))
  .filter((path) => !files.has(path));

console.log(`pack ${packed}: ${files.size} files, ${expected.length} package.json targets`);
if (missing.length) {
  console.error(`pack is missing files package.json points to: ${missing.join(', ')}`);
  process.exit(1);
}
