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

// Snippets that name their files import each other within one Markdown file, never across two.
const PLANTED_FILES = extractSnippets(
  'planted-files.md',
  [
    '# planted files', // 1
    '```ts', // 2
    '// src/auth.ts', // 3
    'export const answer = 42;', // 4
    '```', // 5
    '```tsx', // 6
    '// src/view.tsx', // 7
    "import { answer, missing } from './auth.js';", // 8: no such export
    'export const view = <p>{answer + 1}</p>;', // 9
    '```', // 10
  ].join('\n'),
);
const PLANTED_OTHER_FILES = extractSnippets(
  'planted-other-files.md',
  [
    '```ts', // 1
    '// src/auth.ts', // 2
    "export const answer = 'another document';", // 3
    '```', // 4
    '```ts', // 5
    '// src/use.ts', // 6
    "import { answer } from './auth.js';", // 7
    'export const shout: string = answer.toUpperCase();', // 8: a string here, a number there
    '```', // 9
  ].join('\n'),
);

let errors: Map<Snippet, SnippetError[]>;

beforeAll(() => {
  errors = typecheckSnippets([...snippets, ...PLANTED, ...PLANTED_FILES, ...PLANTED_OTHER_FILES], {
    root: ROOT,
    directory: DIRECTORY,
  });
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

  it('the README hides nothing: no prelude, and each snippet names its file on its first line', () => {
    const readme = snippets.filter((snippet) => snippet.file === 'README.md');
    expect(readme.filter((snippet) => snippet.prelude).map((snippet) => snippet.line)).toEqual([]);
    expect(
      readme
        .filter((snippet) => !/^\/\/ \S+\.tsx?\b/.test(snippet.code))
        .map((snippet) => snippet.line),
    ).toEqual([]);
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

  it('writes a snippet under the file its first line names, for the snippets of its document', () => {
    const [auth, view] = PLANTED_FILES;
    const [otherAuth, use] = PLANTED_OTHER_FILES;
    if (!auth || !view || !otherAuth || !use) throw new Error('planted files not found');
    expect([auth.path, view.path, otherAuth.path, use.path]).toEqual([
      'src/auth.ts',
      'src/view.tsx',
      'src/auth.ts',
      'src/use.ts',
    ]);
    expect(describeErrors(auth)).toEqual([]);
    expect(describeErrors(view)).toEqual([
      `planted-files.md:8: TS2305: Module '"./auth.js"' has no exported member 'missing'.`,
    ]);
    expect(describeErrors(otherAuth)).toEqual([]);
    expect(describeErrors(use)).toEqual([]);
  });

  it('refuses a file name outside the project, of the wrong language, or used twice', () => {
    const block = (language: string, firstLine: string) =>
      `\`\`\`${language}\n${firstLine}\nexport {};\n\`\`\``;
    expect(() => extractSnippets('x.md', block('ts', '// ../escape.ts'))).toThrow(
      'x.md:2: ../escape.ts must be a path inside the project',
    );
    expect(() => extractSnippets('x.md', block('ts', '// src/view.tsx'))).toThrow(
      'x.md:2: a ```ts block names src/view.tsx: use .ts',
    );
    expect(() =>
      extractSnippets('x.md', `${block('ts', '// a.ts')}\n${block('ts', '// a.ts')}`),
    ).toThrow('x.md:6: a.ts is already the snippet at line 2');
    expect(extractSnippets('x.md', block('ts', '// a.ts, for an example'))[0]?.path).toBe(
      undefined,
    );
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
