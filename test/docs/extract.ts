/**
 * Finds the TypeScript snippets of a Markdown file: every ```ts / ```tsx block, with the hidden
 * prelude that may stand right before it in an HTML comment:
 *
 *     <!-- prelude
 *     import type { ApolloClient } from '@apollo/client';
 *     declare const client: ApolloClient;
 *     -->
 *     ```ts
 *     await client.refetchQueries({ include: 'active' });
 *     ```
 *
 * The prelude gives a snippet the context it does not show; readers never see it.
 *
 * A snippet whose first line names a file (`// src/auth.ts`) is that file: the checker writes
 * it under that path, in a folder of its own for each Markdown file, so the other snippets of
 * the same Markdown file can import it (`import { manager } from './auth.js';`).
 */

/** One TypeScript block of a Markdown file. */
export interface Snippet {
  /** The Markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the block's first code line in `file`. */
  line: number;
  language: 'ts' | 'tsx';
  /** The block's code, without its fences and without the indentation of its fence. */
  code: string;
  /** Code of the hidden prelude; empty when there is none. */
  prelude: string;
  /** 1-based line of the prelude's first code line in `file`; 0 when there is none. */
  preludeLine: number;
  /**
   * The file the snippet names on its first line (`// src/auth.ts` → `src/auth.ts`), relative
   * to the Markdown file's own folder of snippets; undefined when its first line names none.
   */
  path?: string;
}

const OPENING_FENCE = /^(\s*)```(ts|tsx)\s*$/;
const ANY_OPENING_FENCE = /^(\s*)```/;
const CLOSING_FENCE = /^\s*```\s*$/;
const PRELUDE_START = /^\s*<!--\s*prelude\s*$/;
const COMMENT_END = /^\s*-->\s*$/;
/** A first line that names the snippet's file: `// src/auth.ts`, `// app/session-badge.tsx`. */
const FILE_NAME_LINE = /^\/\/ ([\w.@-]+(?:\/[\w.@-]+)*\.(tsx?))\s*$/;

/**
 * The snippets of `markdown`, in order. Throws on an unclosed block, a stray prelude, and a
 * file name that is not a relative path, does not match its block's language, or is used twice.
 */
export function extractSnippets(file: string, markdown: string): Snippet[] {
  const lines = markdown.split(/\r?\n/);
  const snippets: Snippet[] = [];
  const lineOfPath = new Map<string, number>();
  let pendingPrelude: { code: string; line: number } | undefined;
  let index = 0;
  while (index < lines.length) {
    const text = lines[index] ?? '';
    if (PRELUDE_START.test(text)) {
      const end = lines.findIndex((candidate, at) => at > index && COMMENT_END.test(candidate));
      if (end < 0) throw new Error(`${file}:${index + 1}: prelude comment is never closed`);
      pendingPrelude = { code: lines.slice(index + 1, end).join('\n'), line: index + 2 };
      index = end + 1;
      if (!OPENING_FENCE.test(lines[index] ?? '')) {
        throw new Error(`${file}:${index + 1}: a prelude must stand right before a ts/tsx block`);
      }
      continue;
    }
    const fence = ANY_OPENING_FENCE.exec(text);
    if (!fence) {
      index++;
      continue;
    }
    const end = lines.findIndex((candidate, at) => at > index && CLOSING_FENCE.test(candidate));
    if (end < 0) throw new Error(`${file}:${index + 1}: code block is never closed`);
    const typescript = OPENING_FENCE.exec(text);
    if (typescript) {
      const indent = typescript[1]?.length ?? 0;
      const language = typescript[2] === 'tsx' ? 'tsx' : 'ts';
      const line = index + 2;
      const code = lines
        .slice(index + 1, end)
        .map((codeLine) =>
          codeLine.slice(Math.min(indent, codeLine.length - codeLine.trimStart().length)),
        )
        .join('\n');
      const path = namedPath(file, line, language, code, lineOfPath);
      snippets.push({
        file,
        line,
        language,
        code,
        prelude: pendingPrelude?.code ?? '',
        preludeLine: pendingPrelude?.line ?? 0,
        ...(path !== undefined && { path }),
      });
    }
    pendingPrelude = undefined;
    index = end + 1;
  }
  return snippets;
}

/** The file a snippet names on its first line, checked; undefined when it names none. */
function namedPath(
  file: string,
  line: number,
  language: 'ts' | 'tsx',
  code: string,
  lineOfPath: Map<string, number>,
): string | undefined {
  const firstLine = code.split('\n', 1)[0] ?? '';
  const named = FILE_NAME_LINE.exec(firstLine);
  if (!named) return undefined;
  const path = named[1] ?? '';
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new Error(`${file}:${line}: ${path} must be a path inside the project, without . or ..`);
  }
  if (named[2] !== language) {
    throw new Error(`${file}:${line}: a \`\`\`${language} block names ${path}: use .${language}`);
  }
  const earlier = lineOfPath.get(path);
  if (earlier !== undefined) {
    throw new Error(`${file}:${line}: ${path} is already the snippet at line ${earlier}`);
  }
  lineOfPath.set(path, line);
  return path;
}
