import { ApolloLink } from '@apollo/client';
import { describe, expect, it } from 'vitest';
import { AuthLink } from '../../src/links/auth-link.js';
import { RefreshFailedError } from '../../src/shared/errors.js';
import { asManager, FakeManager } from '../support/fake-manager.js';
import { flushEventLoop } from '../support/flush.js';
import { execute, stubLink } from '../support/stub-link.js';

const setup = (options?: AuthLink.Options) => {
  const m = new FakeManager();
  const stub = stubLink();
  const link = ApolloLink.from([new AuthLink(asManager(m), options), stub.link]);
  return { m, ...stub, link };
};

describe('AuthLink', () => {
  it('sends the current token as a Bearer authorization header', async () => {
    const { link, sent } = setup();
    const out = await execute(link, 1).settled;
    expect(out.values).toEqual([{ data: { echo: 1 } }]);
    expect(sent[0]?.headers).toEqual({ authorization: 'Bearer t1' });
    expect(sent[0]?.token).toBe('t1');
  });

  it('uses the header and format options and keeps other headers', async () => {
    const { link, sent } = setup({ header: 'x-token', format: (t) => `T ${t}` });
    await execute(link, 1, { headers: { 'x-app': 'demo' } }).settled;
    expect(sent[0]?.headers).toEqual({ 'x-app': 'demo', 'x-token': 'T t1' });
  });

  it('sends no header when logged out', async () => {
    const { m, link, sent } = setup();
    m.token = null;
    await execute(link, 1, { headers: { 'x-app': 'demo' } }).settled;
    expect(sent[0]?.headers).toEqual({ 'x-app': 'demo' });
    expect(sent[0]?.token).toBeNull();
  });

  it('skip: no header and no token lookup', async () => {
    const { m, link, sent } = setup();
    await execute(link, 1, { tokenRefresh: { skip: true } }).settled;
    expect(sent[0]?.headers).toEqual({});
    expect(m.getCalls).toBe(0);
  });

  it('delivers a getAccessToken failure as the operation error', async () => {
    const { m, link, sent } = setup();
    m.startRefresh();
    const p = execute(link, 1);
    const failure = new RefreshFailedError();
    m.fail(failure);
    const out = await p.settled;
    expect(out.error).toBe(failure);
    expect(sent).toHaveLength(0);
  });

  it('alone during a refresh: waits for the new token instead of sending the old one', async () => {
    const { m, link, sent } = setup();
    m.startRefresh();
    const p = execute(link, 1);
    await flushEventLoop();
    expect(sent).toHaveLength(0);
    m.succeed('t2');
    await p.settled;
    expect(sent.map((s) => s.headers.authorization)).toEqual(['Bearer t2']);
  });

  it('unsubscribing before the token arrives never sends the operation', async () => {
    const { m, link, sent } = setup();
    m.startRefresh();
    const p = execute(link, 1);
    p.unsubscribe();
    m.succeed('t2');
    await flushEventLoop();
    expect(sent).toHaveLength(0);
    expect(p.outcome.done).toBe(false);
  });

  it('a link further down that throws after the wait: the operation errors, nothing is left unhandled', async () => {
    const m = new FakeManager();
    const boom = new Error('bad request options');
    const throwing = new ApolloLink(() => {
      throw boom;
    });
    m.startRefresh();
    const p = execute(ApolloLink.from([new AuthLink(asManager(m)), throwing]), 1);
    m.succeed('t2');
    expect((await p.settled).error).toBe(boom);
  });

  it('rejects invalid options with INVALID_OPTION', () => {
    const m = asManager(new FakeManager());
    expect(() => new AuthLink(m, { header: '' })).toThrow(
      expect.objectContaining({ name: 'TokenRefreshError', code: 'INVALID_OPTION' }),
    );
    const format = 'Bearer' as unknown as (t: string) => string;
    expect(() => new AuthLink(m, { format })).toThrow(/format/);
  });
});
