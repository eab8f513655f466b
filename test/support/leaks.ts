/**
 * The one token-leak scanner of the suites. A token may show up wherever an app, a logger, a
 * debugger or an error reporter looks: an error's message, stack, own properties, `cause` chain
 * and `errors`; what `console` prints of a value (expanded ten levels deep too); anything
 * reachable from an object; a close reason. Findings name where a token was, as
 * `where: issued token #i`, never the token itself, so a failing assertion prints no secret.
 *
 * - `tokensIn(issued, places)` is the scan; `inspected`, `errorPlaces` and `texts` turn values into
 *   places, and `captureConsole()` records console calls (as places) instead of printing them.
 * - `reachableTokens(root, issued)` walks an object graph, as a debugger would.
 * - `createLeakCheck()` collects secrets, errors and console lines over a whole suite.
 */
import { format, inspect } from 'node:util';
import { vi } from 'vitest';

/** Somewhere a token could show up, and the text found there. */
export interface Place {
  where: string;
  text: string;
}

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
    lines(): Place[] {
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

export type CapturedConsole = ReturnType<typeof captureConsole>;

/** What a logger would print of `value`, ten levels deep. */
export const deep = (value: unknown) => inspect(value, { depth: 10 });

/**
 * Where an issued token shows up in `places`, as `where: issued token #i` (the token itself is
 * never part of the finding, so a failing assertion does not print it).
 */
export function tokensIn(issued: Iterable<string>, places: readonly Place[]): string[] {
  const tokens = [...issued].filter((token) => token !== '');
  const found: string[] = [];
  for (const { where, text } of places) {
    tokens.forEach((token, index) => {
      if (text.includes(token)) found.push(`${where}: issued token #${index}`);
    });
  }
  return found;
}

/** Every value (an error, an event) as a place: `util.inspect(value, { depth: 10 })`. */
export const inspected = (label: string, values: readonly unknown[]): Place[] =>
  values.map((value, index) => ({ where: `${label} #${index}`, text: deep(value) }));

/** Every text an error exposes to a logger (see `errorTexts`), as places. */
export const errorPlaces = (label: string, errors: readonly unknown[]): Place[] =>
  errors.flatMap((error, index) =>
    errorTexts(error).map((text) => ({ where: `${label} #${index}`, text })),
  );

/** Plain texts (a close reason, a printed line) as places. */
export const texts = (label: string, values: readonly string[]): Place[] =>
  values.map((text, index) => ({ where: `${label} #${index}`, text }));

const ownProperties = (error: object) => {
  try {
    return JSON.stringify(Object.fromEntries(Object.entries(error)));
  } catch {
    return Object.keys(error).join(',');
  }
};

/**
 * Every text an error exposes to a logger: message, stack and own properties, following `cause`
 * and the `errors` of AggregateError and Apollo's combined errors (bounded: cycles end the walk).
 */
function errorTexts(error: unknown): string[] {
  const found: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current !== undefined && current !== null; depth++) {
    if (typeof current !== 'object') {
      found.push(String(current));
      break;
    }
    const { message, stack } = current as { message?: unknown; stack?: unknown };
    found.push(String(current), String(message), String(stack), ownProperties(current));
    const parts = (current as { errors?: unknown }).errors;
    if (Array.isArray(parts))
      for (const part of parts.slice(0, 20)) found.push(...errorTexts(part));
    current = (current as { cause?: unknown }).cause;
  }
  return found;
}

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

/**
 * Collects every secret a suite saw issued and every error and console line it produced, then
 * reports each place a secret shows up (see `errorTexts` for what is read of an error). With
 * `spyOnConsole`, console calls are recorded instead of printed until `restore()`.
 */
export function createLeakCheck(spyOnConsole = true) {
  const secrets = new Set<string>();
  const errors: unknown[] = [];
  const lines: string[] = [];
  const captured = spyOnConsole ? captureConsole() : undefined;

  return {
    /** Registers issued tokens (strings; `null`/`undefined` ignored). */
    secret(...values: (string | null | undefined)[]) {
      for (const value of values) if (value) secrets.add(value);
    },
    /** Registers a log line produced some other way than `console`. */
    line(text: string) {
      lines.push(text);
    },
    /** Registers an error the app (or a test) observed. */
    error(error: unknown) {
      errors.push(error);
    },
    /** Every leak found, as `where: issued token #i` strings (empty when clean). */
    findings(): string[] {
      return tokensIn(secrets, [
        ...errorPlaces('error', errors),
        ...texts('log line', lines),
        ...(captured?.lines() ?? []),
      ]);
    },
    counts: () => ({
      secrets: secrets.size,
      errors: errors.length,
      lines: lines.length + (captured?.calls.length ?? 0),
    }),
    restore() {
      captured?.restore();
    },
  };
}

export type LeakCheck = ReturnType<typeof createLeakCheck>;
