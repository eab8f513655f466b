/** Helpers for unit tests of one link: a recording terminating link and a promise runner. */
import { ApolloClient, ApolloLink, InMemoryCache } from '@apollo/client';
import { Observable, of } from 'rxjs';
import { EchoDocument } from '../../fixtures/__generated__/graphql.js';

export const client = new ApolloClient({ cache: new InMemoryCache(), link: ApolloLink.empty() });

export interface Sent {
  headers: Record<string, string>;
  /** The token of the default `authorization: Bearer` header; `null` without one. */
  token: string | null;
  /** The attempt was the operation's one retry (`tokenRefresh.retried` in its context). */
  retry: boolean;
  /** The operation's `n` variable, the number it asks to echo: tells operations apart. */
  echo: unknown;
}

/** Answers the `attempt`th request (1 for the first) the link sends. */
type Respond = (operation: ApolloLink.Operation, attempt: number) => Observable<ApolloLink.Result>;

/** A terminating link that records what it sends (headers read when built, as HttpLink does). */
export function stubLink(
  respond: Respond = (operation) => of({ data: { echo: operation.variables.n } }),
) {
  const sent: Sent[] = [];
  const link = new ApolloLink((operation) => {
    const context = operation.getContext();
    const headers: Record<string, string> = { ...context.headers };
    const attempt: Sent = {
      headers,
      token: headers.authorization?.replace(/^Bearer /, '') ?? null,
      retry: context.tokenRefresh?.retried === true,
      echo: operation.variables.n,
    };
    return new Observable((observer) => {
      sent.push(attempt);
      return respond(operation, sent.length).subscribe(observer);
    });
  });
  return { link, sent };
}

export interface Outcome {
  values: ApolloLink.Result[];
  error?: unknown;
  done: boolean;
}

/** Executes one `Echo` operation of `echo` and collects what it delivers. */
export function execute(
  link: ApolloLink,
  echo: number,
  context?: ApolloLink.Request['context'],
): { outcome: Outcome; settled: Promise<Outcome>; unsubscribe: () => void } {
  const outcome: Outcome = { values: [], done: false };
  let unsubscribe = () => {};
  const settled = new Promise<Outcome>((resolve) => {
    const subscription = ApolloLink.execute(
      link,
      { query: EchoDocument, variables: { n: echo }, ...(context && { context }) },
      { client },
    ).subscribe({
      next: (value) => outcome.values.push(value),
      error: (error: unknown) => {
        outcome.error = error;
        outcome.done = true;
        resolve(outcome);
      },
      complete: () => {
        outcome.done = true;
        resolve(outcome);
      },
    });
    unsubscribe = () => subscription.unsubscribe();
  });
  return { outcome, settled, unsubscribe };
}
