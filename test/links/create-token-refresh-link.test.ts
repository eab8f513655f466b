import { ApolloLink } from '@apollo/client';
import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import { RetryLink } from '@apollo/client/link/retry';
import { NEVER, of, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createTokenRefreshLink } from '../../src/links/create-token-refresh-link.js';
import { asManager, FakeManager } from '../support/fake-manager.js';
import { flushEventLoop } from '../support/flush.js';
import { execute, stubLink } from '../support/stub-link.js';

describe('createTokenRefreshLink', () => {
  it('chains auth, hold and retry, passing each link its options', async () => {
    const m = new FakeManager();
    const stub = stubLink((op) =>
      op.getContext().headers?.['x-token'] === 't1'
        ? of({ errors: [{ message: 'no', extensions: { code: 'EXPIRED' } }] })
        : of({ data: { echo: op.variables.n } }),
    );
    const link = ApolloLink.from([
      createTokenRefreshLink(asManager(m), {
        header: 'x-token',
        format: (t) => t,
        isAuthError: (e) =>
          CombinedGraphQLErrors.is(e) && e.errors[0]?.extensions?.code === 'EXPIRED',
      }),
      stub.link,
    ]);
    const first = execute(link, 1);
    await flushEventLoop();
    // Arrives during the reactive refresh: held, then sent with the new token.
    const second = execute(link, 2);
    await flushEventLoop();
    expect(stub.sent.map((s) => s.n)).toEqual([1]);
    m.succeed('t2');
    const outs = await Promise.all([first.settled, second.settled]);
    expect(outs.map((o) => o.values)).toEqual([[{ data: { echo: 1 } }], [{ data: { echo: 2 } }]]);
    const sent = stub.sent.map((s) => `${s.n}:${s.headers['x-token']}`);
    expect(sent.sort()).toEqual(['1:t1', '1:t2', '2:t2']);
  });

  it('an operation with a usable token still goes behind the ones held after a refresh', async () => {
    const m = new FakeManager();
    // The first released operation never answers: with `concurrency: 1` it keeps the only slot.
    const stub = stubLink((op) =>
      op.variables.n === 1 ? NEVER : of({ data: { echo: op.variables.n } }),
    );
    const link = ApolloLink.from([
      createTokenRefreshLink(asManager(m), { concurrency: 1 }),
      stub.link,
    ]);
    m.startRefresh();
    const held = [execute(link, 1), execute(link, 2)];
    await flushEventLoop();
    m.succeed('t2');
    await flushEventLoop();
    expect(stub.sent.map((s) => s.n)).toEqual([1]);
    // The token is usable now, but 2 still waits: 3 must not overtake it.
    const late = execute(link, 3);
    await flushEventLoop();
    expect(stub.sent.map((s) => s.n)).toEqual([1]);
    for (const operation of [...held, late]) operation.unsubscribe();
  });

  it('an operation a RetryLink upstream sends again after its one retry gets no second refresh', async () => {
    const m = new FakeManager();
    const rejected = () =>
      throwError(
        () =>
          new ServerError('Response not successful: Received status code 401', {
            response: new Response('{}', { status: 401 }),
            bodyText: '{}',
          }),
      );
    const stub = stubLink(rejected);
    const link = ApolloLink.from([
      new RetryLink({ delay: { initial: 0, jitter: false }, attempts: { max: 2 } }),
      createTokenRefreshLink(asManager(m)),
      stub.link,
    ]);
    const outcome = execute(link, 1);
    await flushEventLoop();
    m.succeed('t2');
    const { error } = await outcome.settled;
    expect(ServerError.is(error)).toBe(true);
    expect(m.refreshCalls).toEqual(['t1']);
    // First attempt, our one retry, then the RetryLink's resend of the same operation.
    expect(stub.sent.map((s) => [s.headers.authorization, s.retry])).toEqual([
      ['Bearer t1', false],
      ['Bearer t2', true],
      ['Bearer t2', true],
    ]);
  });

  it('validates the options of every link', () => {
    const m = asManager(new FakeManager());
    expect(() => createTokenRefreshLink(m, { concurrency: 0 })).toThrow(
      expect.objectContaining({ name: 'TokenRefreshError', code: 'INVALID_OPTION' }),
    );
    expect(() => createTokenRefreshLink(m, { header: '' })).toThrow(
      expect.objectContaining({ name: 'TokenRefreshError', code: 'INVALID_OPTION' }),
    );
  });
});
