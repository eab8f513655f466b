import { format, inspect } from 'node:util';
import { vi } from 'vitest';

const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/**
 * Records every `console.*` call (the servers' loggers included) instead of printing it, so the
 * suite can search what would have been printed.
 */
export function captureConsole() {
  const calls: { method: string; args: unknown[] }[] = [];
  const spies = METHODS.map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      calls.push({ method, args });
    }),
  );
  return {
    calls,
    /** Each call as `console` prints it, and again with every object expanded 10 levels deep. */
    lines(): { where: string; text: string }[] {
      return calls.flatMap(({ method, args }, index) => [
        { where: `console.${method} call #${index}`, text: format(...args) },
        {
          where: `console.${method} call #${index} (depth 10)`,
          text: args.map((arg) => (typeof arg === 'string' ? arg : deep(arg))).join(' '),
        },
      ]);
    },
    restore() {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

/** What a logger would print of `value`, ten levels deep. */
export const deep = (value: unknown) => inspect(value, { depth: 10 });

/**
 * Where an issued token shows up in `places`, as `where: issued token #i` (the token itself is
 * never part of the finding, so a failing assertion does not print it).
 */
export function tokensIn(
  issued: readonly string[],
  places: readonly { where: string; text: string }[],
): string[] {
  const found: string[] = [];
  for (const { where, text } of places) {
    issued.forEach((token, index) => {
      if (text.includes(token)) found.push(`${where}: issued token #${index}`);
    });
  }
  return found;
}

/** Every error (or event) as a place: `util.inspect(value, { depth: 10 })`. */
export const inspected = (label: string, values: readonly unknown[]) =>
  values.map((value, index) => ({ where: `${label} #${index}`, text: deep(value) }));

/**
 * Paths from `root` to a string holding an issued token, following every own property (symbol
 * keys and non-enumerable ones included, getters not called), Map and Set entries. What a
 * logger, a debugger or an error reporter could reach. Bounded by `maxObjects`.
 */
export function reachableTokens(
  root: unknown,
  issued: readonly string[],
  maxObjects = 50_000,
): string[] {
  const found: string[] = [];
  const seen = new Set<object>();
  const queue: { value: unknown; path: string }[] = [{ value: root, path: '<root>' }];
  while (queue.length > 0 && seen.size < maxObjects) {
    const { value, path } = queue.shift() as { value: unknown; path: string };
    if (typeof value === 'string') {
      issued.forEach((token, index) => {
        if (value.includes(token)) found.push(`${path}: issued token #${index}`);
      });
      continue;
    }
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) continue;
    if (seen.has(value)) continue;
    seen.add(value);
    // Binary data is not text a logger prints as a string.
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) continue;
    if (value instanceof Map) {
      for (const [key, entry] of value)
        queue.push({ value: key, path: `${path}<key>` }, { value: entry, path: `${path}<value>` });
    } else if (value instanceof Set) {
      for (const entry of value) queue.push({ value: entry, path: `${path}<entry>` });
    }
    for (const name of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, name);
      if (descriptor && 'value' in descriptor) {
        queue.push({ value: descriptor.value, path: `${path}.${String(name)}` });
      }
    }
  }
  return found;
}
