/** Helpers for unit tests of one link: a recording terminating link and a promise runner. */
import { ApolloClient, ApolloLink, InMemoryCache } from '@apollo/client';
import { type DocumentNode, parse } from 'graphql';
import { Observable, of } from 'rxjs';
import { carriedToken, isRetry } from '../../src/links/operation-state.js';

export const QUERY: DocumentNode = parse('query Echo($n: Int!) { echo(n: $n) }');
export const client = new ApolloClient({ cache: new InMemoryCache(), link: ApolloLink.empty() });

export interface Sent {
  headers: Record<string, string>;
  /** The token our links wrote into the operation (`undefined`: none did). */
  token: string | null | undefined;
  /** The attempt was the operation's one retry. */
  retry: boolean;
  n: unknown;
}

type Respond = (op: ApolloLink.Operation, attempt: number) => Observable<ApolloLink.Result>;

/** A terminating link that records what it sends (headers read when built, as HttpLink does). */
export function stubLink(respond: Respond = (op) => of({ data: { echo: op.variables.n } })) {
  const sent: Sent[] = [];
  const link = new ApolloLink((op) => {
    const c = op.getContext();
    const s: Sent = {
      headers: { ...c.headers },
      token: carriedToken(op),
      retry: isRetry(op),
      n: op.variables.n,
    };
    return new Observable((o) => {
      sent.push(s);
      return respond(op, sent.length).subscribe(o);
    });
  });
  return { link, sent };
}

export interface Outcome {
  values: ApolloLink.Result[];
  error?: unknown;
  done: boolean;
}

/** Executes one operation and collects what it delivers. */
export function execute(
  link: ApolloLink,
  n: number,
  context?: ApolloLink.Request['context'],
): { outcome: Outcome; settled: Promise<Outcome>; unsubscribe: () => void } {
  const outcome: Outcome = { values: [], done: false };
  let unsubscribe = () => {};
  const settled = new Promise<Outcome>((resolve) => {
    const sub = ApolloLink.execute(
      link,
      { query: QUERY, variables: { n }, ...(context && { context }) },
      { client },
    ).subscribe({
      next: (v) => outcome.values.push(v),
      error: (e: unknown) => {
        outcome.error = e;
        outcome.done = true;
        resolve(outcome);
      },
      complete: () => {
        outcome.done = true;
        resolve(outcome);
      },
    });
    unsubscribe = () => sub.unsubscribe();
  });
  return { outcome, settled, unsubscribe };
}

/** Lets every pending promise callback run (a few macrotask turns, no timers of our own). */
export const flush = async (turns = 5) => {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
};
