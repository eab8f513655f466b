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
    const manager = new FakeManager();
    const stub = stubLink((operation) =>
      operation.getContext().headers?.['x-token'] === 't1'
        ? of({ errors: [{ message: 'no', extensions: { code: 'EXPIRED' } }] })
        : of({ data: { echo: operation.variables.n } }),
    );
    const link = ApolloLink.from([
      createTokenRefreshLink(asManager(manager), {
        header: 'x-token',
        format: (token) => token,
        isAuthError: (error) =>
          CombinedGraphQLErrors.is(error) && error.errors[0]?.extensions?.code === 'EXPIRED',
      }),
      stub.link,
    ]);
    const first = execute(link, 1);
    await flushEventLoop();
    // Arrives during the reactive refresh: held, then sent with the new token.
    const second = execute(link, 2);
    await flushEventLoop();
    expect(stub.sent.map((attempt) => attempt.echo)).toEqual([1]);
    manager.succeed('t2');
    const outcomes = await Promise.all([first.settled, second.settled]);
    expect(outcomes.map((outcome) => outcome.values)).toEqual([
      [{ data: { echo: 1 } }],
      [{ data: { echo: 2 } }],
    ]);
    const sent = stub.sent.map((attempt) => `${attempt.echo}:${attempt.headers['x-token']}`);
    expect(sent.sort()).toEqual(['1:t1', '1:t2', '2:t2']);
  });

  it('an operation with a usable token still goes behind the ones held after a refresh', async () => {
    const manager = new FakeManager();
    // The first released operation never answers: with `concurrency: 1` it keeps the only slot.
    const stub = stubLink((operation) =>
      operation.variables.n === 1 ? NEVER : of({ data: { echo: operation.variables.n } }),
    );
    const link = ApolloLink.from([
      createTokenRefreshLink(asManager(manager), { concurrency: 1 }),
      stub.link,
    ]);
    manager.startRefresh();
    const held = [execute(link, 1), execute(link, 2)];
    await flushEventLoop();
    manager.succeed('t2');
    await flushEventLoop();
    expect(stub.sent.map((attempt) => attempt.echo)).toEqual([1]);
    // The token is usable now, but 2 still waits: 3 must not overtake it.
    const late = execute(link, 3);
    await flushEventLoop();
    expect(stub.sent.map((attempt) => attempt.echo)).toEqual([1]);
    for (const operation of [...held, late]) operation.unsubscribe();
  });

  it('an operation a RetryLink upstream sends again after its one retry gets no second refresh', async () => {
    const manager = new FakeManager();
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
      createTokenRefreshLink(asManager(manager)),
      stub.link,
    ]);
    const outcome = execute(link, 1);
    await flushEventLoop();
    manager.succeed('t2');
    const { error } = await outcome.settled;
    expect(ServerError.is(error)).toBe(true);
    expect(manager.refreshCalls).toEqual(['t1']);
    // First attempt, our one retry, then the RetryLink's resend of the same operation.
    expect(stub.sent.map((attempt) => [attempt.headers.authorization, attempt.retry])).toEqual([
      ['Bearer t1', false],
      ['Bearer t2', true],
      ['Bearer t2', true],
    ]);
  });

  it('validates the options of every link', () => {
    const manager = asManager(new FakeManager());
    expect(() => createTokenRefreshLink(manager, { concurrency: 0 })).toThrow(
      expect.objectContaining({ name: 'TokenRefreshError', code: 'INVALID_OPTION' }),
    );
    expect(() => createTokenRefreshLink(manager, { header: '' })).toThrow(
      expect.objectContaining({ name: 'TokenRefreshError', code: 'INVALID_OPTION' }),
    );
  });
});
