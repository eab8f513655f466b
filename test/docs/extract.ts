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
}

const OPENING_FENCE = /^(\s*)```(ts|tsx)\s*$/;
const ANY_OPENING_FENCE = /^(\s*)```/;
const CLOSING_FENCE = /^\s*```\s*$/;
const PRELUDE_START = /^\s*<!--\s*prelude\s*$/;
const COMMENT_END = /^\s*-->\s*$/;

/** The snippets of `markdown`, in order. Throws on an unclosed block or a stray prelude. */
export function extractSnippets(file: string, markdown: string): Snippet[] {
  const lines = markdown.split(/\r?\n/);
  const snippets: Snippet[] = [];
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
      snippets.push({
        file,
        line: index + 2,
        language: typescript[2] === 'tsx' ? 'tsx' : 'ts',
        code: lines
          .slice(index + 1, end)
          .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
          .join('\n'),
        prelude: pendingPrelude?.code ?? '',
        preludeLine: pendingPrelude?.line ?? 0,
      });
    }
    pendingPrelude = undefined;
    index = end + 1;
  }
  return snippets;
}
