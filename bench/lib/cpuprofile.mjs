// Summarises a V8 .cpuprofile: self time by file and by function.
// node bench/lib/cpuprofile.mjs FILE.cpuprofile [function filter]
import { readFileSync } from 'node:fs';

const [file, filter] = process.argv.slice(2);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
let total = 0;
p.samples.forEach((id, i) => {
  const d = p.timeDeltas[i] ?? 0;
  const f = byId.get(id).callFrame;
  const url = f.url
    .replace(/.*node_modules\//, '')
    .replace(/^file:\/\/\/.*?\/(src|bench|test)\//, '$1/');
  const key = `${f.functionName || '(anonymous)'} ${url}:${f.lineNumber + 1}`;
  total += d;
  self.set(key, (self.get(key) ?? 0) + d);
});
const byFile = new Map();
for (const [k, v] of self) {
  const f = k.slice(k.lastIndexOf(' ') + 1).replace(/:\d+$/, '') || '(native)';
  byFile.set(f, (byFile.get(f) ?? 0) + v);
}
const top = (m, n) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n');
console.log(`total ${(total / 1000).toFixed(0)} ms\n== self time by file\n${top(byFile, 20)}`);
const fns = new Map([...self].filter(([k]) => !filter || k.includes(filter)));
console.log(`== self time by function${filter ? ` (${filter})` : ''}\n${top(fns, 30)}`);
