import { ApolloLink } from '@apollo/client';
import { describe, expect, it } from 'vitest';
import { AuthLink } from '../../src/links/auth-link.js';
import { RefreshFailedError } from '../../src/shared/errors.js';
import { asManager, FakeManager } from '../support/fake-manager.js';
import { flushEventLoop } from '../support/flush.js';
import { execute, stubLink } from '../support/stub-link.js';

const setup = (options?: AuthLink.Options) => {
  const manager = new FakeManager();
  const stub = stubLink();
  const link = ApolloLink.from([new AuthLink(asManager(manager), options), stub.link]);
  return { manager, ...stub, link };
};

describe('AuthLink', () => {
  it('sends the current token as a Bearer authorization header', async () => {
    const { link, sent } = setup();
    const outcome = await execute(link, 1).settled;
    expect(outcome.values).toEqual([{ data: { echo: 1 } }]);
    expect(sent[0]?.headers).toEqual({ authorization: 'Bearer t1' });
    expect(sent[0]?.token).toBe('t1');
  });

  it('uses the header and format options and keeps other headers', async () => {
    const { link, sent } = setup({ header: 'x-token', format: (token) => `T ${token}` });
    await execute(link, 1, { headers: { 'x-app': 'demo' } }).settled;
    expect(sent[0]?.headers).toEqual({ 'x-app': 'demo', 'x-token': 'T t1' });
  });

  it('sends no header when logged out', async () => {
    const { manager, link, sent } = setup();
    manager.token = null;
    await execute(link, 1, { headers: { 'x-app': 'demo' } }).settled;
    expect(sent[0]?.headers).toEqual({ 'x-app': 'demo' });
    expect(sent[0]?.token).toBeNull();
  });

  it('skip: no header and no token lookup', async () => {
    const { manager, link, sent } = setup();
    await execute(link, 1, { tokenRefresh: { skip: true } }).settled;
    expect(sent[0]?.headers).toEqual({});
    expect(manager.getCalls).toBe(0);
  });

  it('delivers a getAccessToken failure as the operation error', async () => {
    const { manager, link, sent } = setup();
    manager.startRefresh();
    const operation = execute(link, 1);
    const failure = new RefreshFailedError();
    manager.fail(failure);
    const outcome = await operation.settled;
    expect(outcome.error).toBe(failure);
    expect(sent).toHaveLength(0);
  });

  it('alone during a refresh: waits for the new token instead of sending the old one', async () => {
    const { manager, link, sent } = setup();
    manager.startRefresh();
    const operation = execute(link, 1);
    await flushEventLoop();
    expect(sent).toHaveLength(0);
    manager.succeed('t2');
    await operation.settled;
    expect(sent.map((attempt) => attempt.headers.authorization)).toEqual(['Bearer t2']);
  });

  it('unsubscribing before the token arrives never sends the operation', async () => {
    const { manager, link, sent } = setup();
    manager.startRefresh();
    const operation = execute(link, 1);
    operation.unsubscribe();
    manager.succeed('t2');
    await flushEventLoop();
    expect(sent).toHaveLength(0);
    expect(operation.outcome.done).toBe(false);
  });

  it('a link further down that throws after the wait: the operation errors, nothing is left unhandled', async () => {
    const manager = new FakeManager();
    const boom = new Error('bad request options');
    const throwing = new ApolloLink(() => {
      throw boom;
    });
    manager.startRefresh();
    const operation = execute(ApolloLink.from([new AuthLink(asManager(manager)), throwing]), 1);
    manager.succeed('t2');
    expect((await operation.settled).error).toBe(boom);
  });

  it('rejects invalid options with INVALID_OPTION', () => {
    const manager = asManager(new FakeManager());
    expect(() => new AuthLink(manager, { header: '' })).toThrow(
      expect.objectContaining({ name: 'TokenRefreshError', code: 'INVALID_OPTION' }),
    );
    const format = 'Bearer' as unknown as (token: string) => string;
    expect(() => new AuthLink(manager, { format })).toThrow(/format/);
  });
});
