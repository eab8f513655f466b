/** Helpers for unit tests of one link: a recording terminating link and a promise runner. */
import { ApolloClient, ApolloLink, InMemoryCache } from '@apollo/client';
import { Observable, of } from 'rxjs';
import { EchoDocument } from '../../fixtures/__generated__/graphql.js';
import { carriedToken, isRetry } from '../../src/links/operation-state.js';

export const client = new ApolloClient({ cache: new InMemoryCache(), link: ApolloLink.empty() });

export interface Sent {
  headers: Record<string, string>;
  /**
   * The token our links recorded on the operation (`undefined`: none did, as on
   * `createTokenRefreshLink`'s one-step path, which keeps no record: read `headers` there).
   */
  token: string | null | undefined;
  /** The attempt was the operation's one retry. */
  retry: boolean;
  n: unknown;
}

type Respond = (op: ApolloLink.Operation, attempt: number) => Observable<ApolloLink.Result>;

/** A terminating link that records what it sends (headers read when built, as HttpLink does). */
export function stubLink(
  respond: Respond = (operation) => of({ data: { echo: operation.variables.n } }),
) {
  const sent: Sent[] = [];
  const link = new ApolloLink((operation) => {
    const attempt: Sent = {
      headers: { ...operation.getContext().headers },
      token: carriedToken(operation),
      retry: isRetry(operation),
      n: operation.variables.n,
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

/** Executes one operation and collects what it delivers. */
export function execute(
  link: ApolloLink,
  n: number,
  context?: ApolloLink.Request['context'],
): { outcome: Outcome; settled: Promise<Outcome>; unsubscribe: () => void } {
  const outcome: Outcome = { values: [], done: false };
  let unsubscribe = () => {};
  const settled = new Promise<Outcome>((resolve) => {
    const subscription = ApolloLink.execute(
      link,
      { query: EchoDocument, variables: { n }, ...(context && { context }) },
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
