import { ApolloLink } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createTokenRefreshLink } from '../../src/links/create.js';
import { carriedToken } from '../../src/links/operation-state.js';
import { flushEventLoop } from '../support/flush.js';
import { asManager, FakeManager } from './fake-manager.js';
import { execute, stubLink } from './stub.js';

describe('createTokenRefreshLink', () => {
  it('chains auth, hold and retry, passing each link its options', async () => {
    const m = new FakeManager();
    const stub = stubLink((op) =>
      carriedToken(op) === 't1'
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
