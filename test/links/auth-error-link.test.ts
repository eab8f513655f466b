import { ApolloLink } from '@apollo/client';
import { ServerError } from '@apollo/client/errors';
import { Observable, of, Subject, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { AuthErrorLink } from '../../src/links/auth-error-link.js';
import { AuthLink } from '../../src/links/auth-link.js';
import { RefreshFailedError } from '../../src/shared/errors.js';
import { asManager, FakeManager } from '../support/fake-manager.js';
import { flushEventLoop } from '../support/flush.js';
import { execute, stubLink } from '../support/stub-link.js';

const UNAUTHENTICATED = { errors: [{ message: 'no', extensions: { code: 'UNAUTHENTICATED' } }] };
const unauthorized401 = () =>
  new ServerError('Response not successful: Received status code 401', {
    response: new Response('{}', { status: 401 }),
    bodyText: '{}',
  });

type Respond = NonNullable<Parameters<typeof stubLink>[0]>;

const setup = (respond: Respond, options?: AuthErrorLink.Options) => {
  const manager = new FakeManager();
  const stub = stubLink(respond);
  const link = ApolloLink.from([
    new AuthLink(asManager(manager)),
    new AuthErrorLink(asManager(manager), options),
    stub.link,
  ]);
  return { manager, ...stub, link };
};

/** Rejects token t1 the way `reject` says; answers any other token. */
const rejectT1 =
  (reject: () => Observable<ApolloLink.Result>): Respond =>
  (operation) =>
    operation.getContext().headers?.authorization === 'Bearer t1'
      ? reject()
      : of({ data: { echo: operation.variables.n } });

describe('AuthErrorLink', () => {
  for (const [name, reject] of [
    ['a result with UNAUTHENTICATED errors', () => of(UNAUTHENTICATED)],
    ['a ServerError 401', () => throwError(() => unauthorized401())],
  ] as const) {
    it(`${name}: refreshes with the failed token and retries once with the new one`, async () => {
      const { manager, link, sent } = setup(rejectT1(reject));
      const operation = execute(link, 7);
      await flushEventLoop();
      expect(manager.refreshCalls).toEqual(['t1']);
      manager.succeed('t2');
      const outcome = await operation.settled;
      expect(outcome.error).toBeUndefined();
      expect(outcome.values).toEqual([{ data: { echo: 7 } }]);
      expect(sent.map((attempt) => attempt.headers.authorization)).toEqual([
        'Bearer t1',
        'Bearer t2',
      ]);
      expect(sent[1]?.retry).toBe(true);
    });
  }

  it('an operation frozen by an app link upstream still gets its header, refresh and one retry', async () => {
    const manager = new FakeManager();
    const stub = stubLink(rejectT1(() => of(UNAUTHENTICATED)));
    const freeze = new ApolloLink((operation, forward) => forward(Object.freeze(operation)));
    const link = ApolloLink.from([
      freeze,
      new AuthLink(asManager(manager)),
      new AuthErrorLink(asManager(manager)),
      stub.link,
    ]);
    const operation = execute(link, 3);
    await flushEventLoop();
    expect(manager.refreshCalls).toEqual(['t1']);
    manager.succeed('t2');
    const outcome = await operation.settled;
    expect(outcome.values).toEqual([{ data: { echo: 3 } }]);
    expect(stub.sent.map((attempt) => attempt.headers.authorization)).toEqual([
      'Bearer t1',
      'Bearer t2',
    ]);
  });

  it('a second auth failure reaches the app unchanged: no loop', async () => {
    const { manager, link, sent } = setup(() => of(UNAUTHENTICATED));
    const operation = execute(link, 1);
    await flushEventLoop();
    manager.succeed('t2');
    const outcome = await operation.settled;
    expect(outcome.values).toEqual([UNAUTHENTICATED]);
    expect(sent).toHaveLength(2);
    expect(manager.refreshCalls).toHaveLength(1);
  });

  it('a 401 after the retry is delivered as the error', async () => {
    const { manager, link, sent } = setup(() => throwError(() => unauthorized401()));
    const operation = execute(link, 1);
    await flushEventLoop();
    manager.succeed('t2');
    const outcome = await operation.settled;
    expect(ServerError.is(outcome.error)).toBe(true);
    expect(sent).toHaveLength(2);
  });

  it('a refresh failure is the operation error', async () => {
    const { manager, link, sent } = setup(() => of(UNAUTHENTICATED));
    const operation = execute(link, 1);
    await flushEventLoop();
    const failure = new RefreshFailedError();
    manager.fail(failure);
    expect((await operation.settled).error).toBe(failure);
    expect(sent).toHaveLength(1);
  });

  it('an operation that failed with an old token uses the already refreshed one', async () => {
    // The second operation's first attempt is answered when the test says so.
    const lateAnswer = new Subject<ApolloLink.Result>();
    const { manager, link, sent } = setup((operation, attempt) =>
      attempt === 3 ? lateAnswer : rejectT1(() => of(UNAUTHENTICATED))(operation, attempt),
    );
    const first = execute(link, 1);
    await flushEventLoop();
    manager.succeed('t2');
    await first.settled;
    // This one carried t1 too, but fails after the refresh: no second refresh.
    manager.token = 't1';
    const second = execute(link, 2);
    manager.token = 't2';
    lateAnswer.next(UNAUTHENTICATED);
    expect((await second.settled).values).toEqual([{ data: { echo: 2 } }]);
    expect(manager.refreshCalls).toEqual(['t1', 't1']);
    expect(sent.map((attempt) => attempt.headers.authorization)).toEqual([
      'Bearer t1',
      'Bearer t2',
      'Bearer t1',
      'Bearer t2',
    ]);
  });

  it('the rejected first attempt is left to finish, not cancelled (HttpLink would abort its request)', async () => {
    let cancelled = 0;
    const { manager, link, sent } = setup((operation, attempt) =>
      attempt === 1
        ? new Observable<ApolloLink.Result>((observer) => {
            let done = false;
            observer.next(UNAUTHENTICATED);
            // The answer's body is read, the request finishes a tick later, as with fetch.
            setImmediate(() => {
              done = true;
              observer.complete();
            });
            return () => {
              if (!done) cancelled++;
            };
          })
        : of({ data: { echo: operation.variables.n } }),
    );
    const operation = execute(link, 1);
    await flushEventLoop();
    manager.succeed('t2');
    expect((await operation.settled).values).toEqual([{ data: { echo: 1 } }]);
    expect(sent).toHaveLength(2);
    expect(cancelled).toBe(0);
  });

  it('passes other errors and results through untouched', async () => {
    const boom = new Error('network down');
    const { manager, link } = setup(() => throwError(() => boom));
    expect((await execute(link, 1).settled).error).toBe(boom);
    const other = {
      data: null,
      errors: [{ message: 'bad input', extensions: { code: 'BAD_USER_INPUT' } }],
    };
    const passing = setup(() => of(other));
    expect((await execute(passing.link, 1).settled).values).toEqual([other]);
    expect(manager.refreshCalls).toHaveLength(0);
  });

  it('isAuthError decides what is an auth error: a FORBIDDEN result it accepts is refreshed and retried', async () => {
    const forbidden = { errors: [{ message: 'no', extensions: { code: 'FORBIDDEN' } }] };
    const { manager, link } = setup(
      rejectT1(() => of(forbidden)),
      {
        isAuthError: (error, operation) =>
          operation.operationName === 'Echo' && String(error).includes('no'),
      },
    );
    const operation = execute(link, 1);
    await flushEventLoop();
    manager.succeed('t2');
    expect((await operation.settled).values).toEqual([{ data: { echo: 1 } }]);
  });

  it('an isAuthError that throws fails the operation with what it threw: no hang, no refresh', async () => {
    const bug = new Error('isAuthError bug');
    const { manager, link } = setup(
      rejectT1(() => of(UNAUTHENTICATED)),
      {
        isAuthError: () => {
          throw bug;
        },
      },
    );
    const outcome = await execute(link, 1).settled;
    expect(outcome.error).toBe(bug);
    expect(outcome.values).toEqual([]);
    expect(manager.refreshCalls).toHaveLength(0);
  });

  it('a stream that fails with a 401 after its first chunk: the error reaches the app, no retry', async () => {
    const chunks = new Subject<ApolloLink.Result>();
    const { manager, link, sent } = setup(() => chunks);
    const operation = execute(link, 1);
    await flushEventLoop();
    chunks.next({ data: { echo: 1 } });
    const error = unauthorized401();
    chunks.error(error);
    const outcome = await operation.settled;
    expect(outcome.values).toEqual([{ data: { echo: 1 } }]);
    expect(outcome.error).toBe(error);
    expect(manager.refreshCalls).toHaveLength(0);
    expect(sent).toHaveLength(1);
  });

  it('a stream is retried only when it failed before its first chunk', async () => {
    const chunks = new Subject<ApolloLink.Result>();
    const { manager, link, sent } = setup(() => chunks);
    const operation = execute(link, 1);
    await flushEventLoop();
    expect(sent).toHaveLength(1);
    chunks.next({ data: { echo: 1 } });
    chunks.next(UNAUTHENTICATED);
    chunks.complete();
    const outcome = await operation.settled;
    expect(outcome.values).toEqual([{ data: { echo: 1 } }, UNAUTHENTICATED]);
    expect(manager.refreshCalls).toHaveLength(0);
    expect(sent).toHaveLength(1);
  });

  it('unsubscribing while the refresh runs: no retry is sent', async () => {
    const { manager, link, sent } = setup(() => of(UNAUTHENTICATED));
    const operation = execute(link, 1);
    await flushEventLoop();
    operation.unsubscribe();
    manager.succeed('t2');
    await flushEventLoop();
    expect(sent).toHaveLength(1);
    expect(operation.outcome.done).toBe(false);
  });

  it('unsubscribing while the first attempt is in flight stops it (HttpLink aborts its request)', async () => {
    let stopped = 0;
    const inFlight = () =>
      new Observable<ApolloLink.Result>(() => () => {
        stopped++;
      });
    const { link, sent } = setup(inFlight);
    const operation = execute(link, 1);
    await flushEventLoop();
    expect(sent).toHaveLength(1);
    expect(stopped).toBe(0);
    operation.unsubscribe();
    expect(stopped).toBe(1);
    expect(operation.outcome.done).toBe(false);
  });

  it('an attempt that answers while it is being subscribed still has its teardown run', async () => {
    let stopped = 0;
    const answersAtOnce = () =>
      new Observable<ApolloLink.Result>((observer) => {
        observer.next({ data: { echo: 1 } });
        observer.complete();
        return () => {
          stopped++;
        };
      });
    const { link } = setup(answersAtOnce);
    const { values } = await execute(link, 1).settled;
    expect(values).toEqual([{ data: { echo: 1 } }]);
    expect(stopped).toBe(1);
  });

  it('skip: an auth error is not retried', async () => {
    const { manager, link, sent } = setup(() => of(UNAUTHENTICATED));
    const outcome = await execute(link, 1, { tokenRefresh: { skip: true } }).settled;
    expect(outcome.values).toEqual([UNAUTHENTICATED]);
    expect(sent).toHaveLength(1);
    expect(manager.refreshCalls).toHaveLength(0);
  });

  it('rejects a non-function isAuthError', () => {
    const isAuthError = true as unknown as () => boolean;
    expect(() => new AuthErrorLink(asManager(new FakeManager()), { isAuthError })).toThrow(
      expect.objectContaining({ name: 'TokenRefreshError', code: 'INVALID_OPTION' }),
    );
  });
});
