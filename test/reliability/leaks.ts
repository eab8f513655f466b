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
  const spies = (spyOnConsole ? methods : []).map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      lines.push(format(...args));
    }),
  );

  const ownProps = (e: object) => {
    try {
      return JSON.stringify(Object.fromEntries(Object.entries(e)));
    } catch {
      return Object.keys(e).join(',');
    }
  };

  /** Every text an error exposes, following `cause` (bounded: cycles end the walk). */
  const texts = (error: unknown): string[] => {
    const out: string[] = [];
    let e: unknown = error;
    for (let depth = 0; depth < 10 && e !== undefined && e !== null; depth++) {
      if (typeof e !== 'object') {
        out.push(String(e));
        break;
      }
      const { message, stack } = e as { message?: unknown; stack?: unknown };
      out.push(String(message), String(stack), ownProps(e));
      // AggregateError and Apollo's combined errors keep their parts in `errors`.
      const parts = (e as { errors?: unknown }).errors;
      if (Array.isArray(parts)) for (const p of parts.slice(0, 20)) out.push(...texts(p));
      e = (e as { cause?: unknown }).cause;
    }
    return out;
  };

  return {
    /** Registers issued tokens (strings; `null`/`undefined` ignored). */
    secret(...values: (string | null | undefined)[]) {
      for (const v of values) if (v) secrets.add(v);
    },
    /** Registers a log line produced some other way than `console`. */
    line(text: string) {
      lines.push(text);
    },
    /** Registers an error the app (or a test) observed. */
    error(e: unknown) {
      errors.push(e);
    },
    /** Every leak found, as `where: excerpt` strings (empty when clean). */
    findings(): string[] {
      const found: string[] = [];
      const scan = (where: string, text: string) => {
        for (const s of secrets) {
          if (text.includes(s)) found.push(`${where}: ${text.slice(0, 120)}`);
        }
      };
      errors.forEach((e, i) => {
        for (const t of texts(e)) scan(`error #${i}`, t);
      });
      lines.forEach((l, i) => {
        scan(`console line #${i}`, l);
      });
      return found;
    },
    counts: () => ({ secrets: secrets.size, errors: errors.length, lines: lines.length }),
    restore() {
      for (const s of spies) s.mockRestore();
    },
  };
}

export type LeakCheck = ReturnType<typeof createLeakCheck>;
