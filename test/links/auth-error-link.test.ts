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

const UNAUTH = { errors: [{ message: 'no', extensions: { code: 'UNAUTHENTICATED' } }] };
const unauth401 = () =>
  new ServerError('Response not successful: Received status code 401', {
    response: new Response('{}', { status: 401 }),
    bodyText: '{}',
  });

type Respond = NonNullable<Parameters<typeof stubLink>[0]>;

const setup = (respond: Respond, options?: AuthErrorLink.Options) => {
  const m = new FakeManager();
  const stub = stubLink(respond);
  const link = ApolloLink.from([
    new AuthLink(asManager(m)),
    new AuthErrorLink(asManager(m), options),
    stub.link,
  ]);
  return { m, ...stub, link };
};

/** Rejects token t1 the way `reject` says; answers any other token. */
const rejectT1 =
  (reject: () => Observable<ApolloLink.Result>): Respond =>
  (op) =>
    op.getContext().headers?.authorization === 'Bearer t1'
      ? reject()
      : of({ data: { echo: op.variables.n } });

describe('AuthErrorLink', () => {
  for (const [name, reject] of [
    ['a result with UNAUTHENTICATED errors', () => of(UNAUTH)],
    ['a ServerError 401', () => throwError(() => unauth401())],
  ] as const) {
    it(`${name}: refreshes with the failed token and retries once with the new one`, async () => {
      const { m, link, sent } = setup(rejectT1(reject));
      const p = execute(link, 7);
      await flushEventLoop();
      expect(m.refreshCalls).toEqual(['t1']);
      m.succeed('t2');
      const out = await p.settled;
      expect(out.error).toBeUndefined();
      expect(out.values).toEqual([{ data: { echo: 7 } }]);
      expect(sent.map((s) => s.headers.authorization)).toEqual(['Bearer t1', 'Bearer t2']);
      expect(sent[1]?.retry).toBe(true);
    });
  }

  it('an operation frozen by an app link upstream still gets its header, refresh and one retry', async () => {
    const m = new FakeManager();
    const stub = stubLink(rejectT1(() => of(UNAUTH)));
    const freeze = new ApolloLink((op, forward) => forward(Object.freeze(op)));
    const link = ApolloLink.from([
      freeze,
      new AuthLink(asManager(m)),
      new AuthErrorLink(asManager(m)),
      stub.link,
    ]);
    const p = execute(link, 3);
    await flushEventLoop();
    expect(m.refreshCalls).toEqual(['t1']);
    m.succeed('t2');
    const out = await p.settled;
    expect(out.values).toEqual([{ data: { echo: 3 } }]);
    expect(stub.sent.map((s) => s.headers.authorization)).toEqual(['Bearer t1', 'Bearer t2']);
  });

  it('a second auth failure reaches the app unchanged: no loop', async () => {
    const { m, link, sent } = setup(() => of(UNAUTH));
    const p = execute(link, 1);
    await flushEventLoop();
    m.succeed('t2');
    const out = await p.settled;
    expect(out.values).toEqual([UNAUTH]);
    expect(sent).toHaveLength(2);
    expect(m.refreshCalls).toHaveLength(1);
  });

  it('a 401 after the retry is delivered as the error', async () => {
    const { m, link, sent } = setup(() => throwError(() => unauth401()));
    const p = execute(link, 1);
    await flushEventLoop();
    m.succeed('t2');
    const out = await p.settled;
    expect(ServerError.is(out.error)).toBe(true);
    expect(sent).toHaveLength(2);
  });

  it('a refresh failure is the operation error', async () => {
    const { m, link, sent } = setup(() => of(UNAUTH));
    const p = execute(link, 1);
    await flushEventLoop();
    const failure = new RefreshFailedError();
    m.fail(failure);
    expect((await p.settled).error).toBe(failure);
    expect(sent).toHaveLength(1);
  });

  it('an operation that failed with an old token uses the already refreshed one', async () => {
    // The second operation's first attempt is answered when the test says so.
    const lateAnswer = new Subject<ApolloLink.Result>();
    const { m, link, sent } = setup((op, attempt) =>
      attempt === 3 ? lateAnswer : rejectT1(() => of(UNAUTH))(op, attempt),
    );
    const first = execute(link, 1);
    await flushEventLoop();
    m.succeed('t2');
    await first.settled;
    // This one carried t1 too, but fails after the refresh: no second refresh.
    m.token = 't1';
    const second = execute(link, 2);
    m.token = 't2';
    lateAnswer.next(UNAUTH);
    expect((await second.settled).values).toEqual([{ data: { echo: 2 } }]);
    expect(m.refreshCalls).toEqual(['t1', 't1']);
    expect(sent.map((s) => s.headers.authorization)).toEqual([
      'Bearer t1',
      'Bearer t2',
      'Bearer t1',
      'Bearer t2',
    ]);
  });

  it('the rejected first attempt is left to finish, not cancelled (HttpLink would abort its request)', async () => {
    let cancelled = 0;
    const { m, link, sent } = setup((op, attempt) =>
      attempt === 1
        ? new Observable<ApolloLink.Result>((observer) => {
            let done = false;
            observer.next(UNAUTH);
            // The answer's body is read, the request finishes a tick later, as with fetch.
            setImmediate(() => {
              done = true;
              observer.complete();
            });
            return () => {
              if (!done) cancelled++;
            };
          })
        : of({ data: { echo: op.variables.n } }),
    );
    const p = execute(link, 1);
    await flushEventLoop();
    m.succeed('t2');
    expect((await p.settled).values).toEqual([{ data: { echo: 1 } }]);
    expect(sent).toHaveLength(2);
    expect(cancelled).toBe(0);
  });

  it('passes other errors and results through untouched', async () => {
    const boom = new Error('network down');
    const { m, link } = setup(() => throwError(() => boom));
    expect((await execute(link, 1).settled).error).toBe(boom);
    const other = {
      data: null,
      errors: [{ message: 'bad input', extensions: { code: 'BAD_USER_INPUT' } }],
    };
    const { link: link2 } = setup(() => of(other));
    expect((await execute(link2, 1).settled).values).toEqual([other]);
    expect(m.refreshCalls).toHaveLength(0);
  });

  it('isAuthError decides what is an auth error: a FORBIDDEN result it accepts is refreshed and retried', async () => {
    const forbidden = { errors: [{ message: 'no', extensions: { code: 'FORBIDDEN' } }] };
    const { m, link } = setup(
      rejectT1(() => of(forbidden)),
      {
        isAuthError: (e, op) => op.operationName === 'Echo' && String(e).includes('no'),
      },
    );
    const p = execute(link, 1);
    await flushEventLoop();
    m.succeed('t2');
    expect((await p.settled).values).toEqual([{ data: { echo: 1 } }]);
  });

  it('an isAuthError that throws fails the operation with what it threw: no hang, no refresh', async () => {
    const bug = new Error('isAuthError bug');
    const { m, link } = setup(
      rejectT1(() => of(UNAUTH)),
      {
        isAuthError: () => {
          throw bug;
        },
      },
    );
    const out = await execute(link, 1).settled;
    expect(out.error).toBe(bug);
    expect(out.values).toEqual([]);
    expect(m.refreshCalls).toHaveLength(0);
  });

  it('a stream that fails with a 401 after its first chunk: the error reaches the app, no retry', async () => {
    const chunks = new Subject<ApolloLink.Result>();
    const { m, link, sent } = setup(() => chunks);
    const p = execute(link, 1);
    await flushEventLoop();
    chunks.next({ data: { echo: 1 } });
    const error = unauth401();
    chunks.error(error);
    const out = await p.settled;
    expect(out.values).toEqual([{ data: { echo: 1 } }]);
    expect(out.error).toBe(error);
    expect(m.refreshCalls).toHaveLength(0);
    expect(sent).toHaveLength(1);
  });

  it('a stream is retried only when it failed before its first chunk', async () => {
    const chunks = new Subject<ApolloLink.Result>();
    const { m, link, sent } = setup(() => chunks);
    const p = execute(link, 1);
    await flushEventLoop();
    expect(sent).toHaveLength(1);
    chunks.next({ data: { echo: 1 } });
    chunks.next(UNAUTH);
    chunks.complete();
    const out = await p.settled;
    expect(out.values).toEqual([{ data: { echo: 1 } }, UNAUTH]);
    expect(m.refreshCalls).toHaveLength(0);
    expect(sent).toHaveLength(1);
  });

  it('unsubscribing while the refresh runs: no retry is sent', async () => {
    const { m, link, sent } = setup(() => of(UNAUTH));
    const p = execute(link, 1);
    await flushEventLoop();
    p.unsubscribe();
    m.succeed('t2');
    await flushEventLoop();
    expect(sent).toHaveLength(1);
    expect(p.outcome.done).toBe(false);
  });

  it('unsubscribing while the first attempt is in flight stops it (HttpLink aborts its request)', async () => {
    let stopped = 0;
    const inFlight = () =>
      new Observable<ApolloLink.Result>(() => () => {
        stopped++;
      });
    const { link, sent } = setup(inFlight);
    const p = execute(link, 1);
    await flushEventLoop();
    expect(sent).toHaveLength(1);
    expect(stopped).toBe(0);
    p.unsubscribe();
    expect(stopped).toBe(1);
    expect(p.outcome.done).toBe(false);
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
    const { m, link, sent } = setup(() => of(UNAUTH));
    const out = await execute(link, 1, { tokenRefresh: { skip: true } }).settled;
    expect(out.values).toEqual([UNAUTH]);
    expect(sent).toHaveLength(1);
    expect(m.refreshCalls).toHaveLength(0);
  });

  it('rejects a non-function isAuthError', () => {
    const isAuthError = true as unknown as () => boolean;
    expect(() => new AuthErrorLink(asManager(new FakeManager()), { isAuthError })).toThrow(
      expect.objectContaining({ name: 'TokenRefreshError', code: 'INVALID_OPTION' }),
    );
  });
});
