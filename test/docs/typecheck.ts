/**
 * Type-checks Markdown snippets with the TypeScript compiler API, against the root tsconfig
 * (where the package's own name resolves to `src/` through `paths`), in one program.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import type { Snippet } from './extract.js';

/** One compiler error, placed in the Markdown file. */
export interface SnippetError {
  /** `file:line` in the Markdown file, e.g. `README.md:42`. */
  where: string;
  /** `TS2322: Type …`, the compiler's message. */
  message: string;
}

export interface TypecheckOptions {
  /** The repository root: its `tsconfig.json` and `node_modules` are used. */
  root: string;
  /** Where the snippets are written; emptied first. Must be inside `root` to resolve packages. */
  directory: string;
}

/**
 * The compiler errors of every snippet, by snippet (an empty list for a clean one). A snippet
 * is a module of its own (`export {}` is appended), so snippets never clash with each other.
 * Each Markdown file gets a folder of its own: a snippet that names its file (`// src/auth.ts`)
 * is written under that path there, so the other snippets of that Markdown file can import it;
 * the others are written as `snippet-<line>.ts(x)` at the top of that folder.
 */
export function typecheckSnippets(
  snippets: readonly Snippet[],
  { root, directory }: TypecheckOptions,
): Map<Snippet, SnippetError[]> {
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  const byPath = new Map<string, Snippet>();
  for (const snippet of snippets) {
    const folder = resolve(directory, snippet.file.replace(/[^a-zA-Z0-9]+/g, '-'));
    const path = resolve(folder, snippet.path ?? `snippet-${snippet.line}.${snippet.language}`);
    if (byPath.has(path)) throw new Error(`${snippet.file}:${snippet.line}: ${path} written twice`);
    mkdirSync(dirname(path), { recursive: true });
    const preludeLines = snippet.prelude ? snippet.prelude.split('\n') : [];
    writeFileSync(path, [...preludeLines, snippet.code, 'export {};', ''].join('\n'));
    byPath.set(path, snippet);
  }

  const program = ts.createProgram([...byPath.keys()], compilerOptions(root));
  const errors = new Map<Snippet, SnippetError[]>(snippets.map((snippet) => [snippet, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    const snippet = diagnostic.file && byPath.get(resolve(diagnostic.file.fileName));
    if (!diagnostic.file) {
      // Options or a missing library: every snippet is affected.
      for (const list of errors.values()) list.push({ where: 'tsconfig.json', message });
      continue;
    }
    if (!snippet) continue; // The sources themselves: `npm run typecheck` reports those.
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    errors.get(snippet)?.push({ where: `${snippet.file}:${markdownLine(snippet, line)}`, message });
  }
  return errors;
}

/** The 1-based Markdown line of 0-based line `line` of the written snippet file. */
function markdownLine(snippet: Snippet, line: number): number {
  const preludeLines = snippet.prelude ? snippet.prelude.split('\n').length : 0;
  return line < preludeLines ? snippet.preludeLine + line : snippet.line + line - preludeLines;
}

/**
 * The root tsconfig's options, with two exceptions: a snippet may show a declaration it does
 * not use (`const client = …`), and `.tsx` snippets need a JSX transform, which the root
 * project (no JSX in it) does not set.
 */
function compilerOptions(root: string): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  if (config.error)
    throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root, {}, configPath);
  return {
    ...parsed.options,
    noEmit: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
    jsx: ts.JsxEmit.ReactJSX,
  };
}
