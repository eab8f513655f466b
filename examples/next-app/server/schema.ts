import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';

/** The schema codegen reads too (`codegen.ts` at the repo root). */
export const schema = buildSchema(
  readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'),
);

export interface Context {
  user: string;
}

/** Yields `{ ticks: n }` every `intervalMs`; `return()` (client unsubscribed) stops it at once. */
function ticks(intervalMs: number, limit: number | null): AsyncIterableIterator<{ ticks: number }> {
  let n = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: ((r: IteratorResult<{ ticks: number }>) => void) | undefined;
  const done = (): IteratorResult<{ ticks: number }> => {
    clearTimeout(timer);
    wake?.({ done: true, value: undefined });
    stopped = true;
    return { done: true, value: undefined };
  };
  const it: AsyncIterableIterator<{ ticks: number }> = {
    next: () =>
      stopped || (limit !== null && n >= limit)
        ? Promise.resolve(done())
        : new Promise((resolve) => {
            wake = resolve;
            timer = setTimeout(() => resolve({ done: false, value: { ticks: ++n } }), intervalMs);
          }),
    return: () => Promise.resolve(done()),
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}

/**
 * Root resolvers (graphql-js calls `root[field](args, context)`). Every field needs a signed-in
 * user: the transports reject anonymous requests before they get here.
 */
export function createRoot() {
  const names = new Map<string, string>();
  const user = (id: string) => ({ id, name: names.get(id) ?? id });
  return {
    me: (_: unknown, ctx: Context) => user(ctx.user),
    echo: ({ n }: { n: number }) => n,
    item: ({ id }: { id: string }) => ({
      id,
      title: `Item ${id}`,
      price: (id.length * 7.5) % 100,
    }),
    rename: ({ name }: { name: string }, ctx: Context) => {
      names.set(ctx.user, name.slice(0, 40));
      return user(ctx.user);
    },
    ticks: ({ intervalMs, limit }: { intervalMs: number; limit?: number | null }) =>
      ticks(Math.max(50, intervalMs), limit ?? null),
  };
}
