import { format } from 'node:util';
import { vi } from 'vitest';

/**
 * Collects every secret a suite saw issued and every error and console line it produced, then
 * reports each place a secret shows up: an error's message, its `cause` chain, its own enumerable
 * properties, or a log line.
 */
export function createLeakCheck(spyOnConsole = true) {
  const secrets = new Set<string>();
  const errors: unknown[] = [];
  const lines: string[] = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const spies = (spyOnConsole ? methods : []).map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(format(...args));
    }),
  );

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
    /** Every leak found, as `where: excerpt` strings (empty when clean). */
    findings(): string[] {
      const found: string[] = [];
      const scan = (where: string, text: string) => {
        for (const secret of secrets) {
          if (text.includes(secret)) found.push(`${where}: ${text.slice(0, 120)}`);
        }
      };
      errors.forEach((error, index) => {
        for (const text of errorTexts(error)) scan(`error #${index}`, text);
      });
      lines.forEach((line, index) => {
        scan(`console line #${index}`, line);
      });
      return found;
    },
    counts: () => ({ secrets: secrets.size, errors: errors.length, lines: lines.length }),
    restore() {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

export type LeakCheck = ReturnType<typeof createLeakCheck>;

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
export function errorTexts(error: unknown): string[] {
  const texts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current !== undefined && current !== null; depth++) {
    if (typeof current !== 'object') {
      texts.push(String(current));
      break;
    }
    const { message, stack } = current as { message?: unknown; stack?: unknown };
    texts.push(String(message), String(stack), ownProperties(current));
    const parts = (current as { errors?: unknown }).errors;
    if (Array.isArray(parts))
      for (const part of parts.slice(0, 20)) texts.push(...errorTexts(part));
    current = (current as { cause?: unknown }).cause;
  }
  return texts;
}
