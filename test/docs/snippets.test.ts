/**
 * Every ```ts / ```tsx block of the README, `docs/*.md` and the Next.js example's README
 * compiles against the package as it is now (CONTRIBUTING.md, "Snippets in the docs").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractSnippets, type Snippet } from './extract.js';
import { type SnippetError, typecheckSnippets } from './typecheck.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIRECTORY = join(ROOT, '.vitest-tmp', 'docs-snippets');

const MARKDOWN_FILES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
  'examples/next-app/README.md',
];
const snippets = MARKDOWN_FILES.flatMap((file) =>
  extractSnippets(file, readFileSync(join(ROOT, file), 'utf8')),
);

// Planted mistakes, checked in the same program: the checker must find them, on the right line.
const PLANTED = extractSnippets(
  'planted.md',
  [
    '# planted', // 1
    '<!-- prelude', // 2
    "import { TokenManager } from 'apollo-token-refresh';", // 3
    '-->', // 4
    '```ts', // 5
    'new TokenManager({', // 6
    '  refresh: async () => {},', // 7: Promise<void> is not a Promise<TokenSet>
    '});', // 8
    '```', // 9
    '<!-- prelude', // 10
    'const unknownName: number = missing;', // 11: an error inside the prelude
    '-->', // 12
    '```tsx', // 13
    'export const view = <p>{unknownName}</p>;', // 14
    '```', // 15
  ].join('\n'),
);

let errors: Map<Snippet, SnippetError[]>;

beforeAll(() => {
  errors = typecheckSnippets([...snippets, ...PLANTED], { root: ROOT, directory: DIRECTORY });
}, 180_000);

const describeErrors = (snippet: Snippet) =>
  (errors.get(snippet) ?? []).map((error) => `${error.where}: ${error.message}`);

describe(`docs snippets (${snippets.length} in ${MARKDOWN_FILES.length} files)`, () => {
  it('finds the snippets of the README and of docs/', () => {
    expect(snippets.filter((snippet) => snippet.file === 'README.md').length).toBeGreaterThan(5);
    expect(snippets.filter((snippet) => snippet.file.startsWith('docs/')).length).toBeGreaterThan(
      5,
    );
  });

  it.each(snippets.map((snippet) => [`${snippet.file}:${snippet.line}`, snippet] as const))(
    '%s type-checks',
    (_where, snippet) => {
      expect(describeErrors(snippet)).toEqual([]);
    },
  );
});

describe('the snippet checker', () => {
  it('reports a wrong snippet with its file, its Markdown line and the compiler message', () => {
    const [wrongRefresh, wrongPrelude] = PLANTED;
    if (!wrongRefresh || !wrongPrelude) throw new Error('planted snippets not found');
    expect(describeErrors(wrongRefresh)).toEqual([
      expect.stringMatching(
        /^planted\.md:7: TS2322: Type '\(\) => Promise<void>' is not assignable to type 'RefreshFunction'\.[\s\S]*Promise<TokenSet>/,
      ),
    ]);
    expect(describeErrors(wrongPrelude)).toEqual([
      "planted.md:11: TS2304: Cannot find name 'missing'.",
    ]);
  });

  it('refuses a prelude that no ts/tsx block follows, and an unclosed block', () => {
    expect(() =>
      extractSnippets('x.md', '<!-- prelude\nconst a = 1;\n-->\n```sh\nls\n```'),
    ).toThrow('x.md:4: a prelude must stand right before a ts/tsx block');
    expect(() => extractSnippets('x.md', 'text\n```ts\nconst a = 1;\n')).toThrow(
      'x.md:2: code block is never closed',
    );
  });
});
