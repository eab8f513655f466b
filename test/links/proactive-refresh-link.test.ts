import { ApolloLink } from '@apollo/client';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { AuthLink } from '../../src/links/auth-link.js';
import { ProactiveRefreshLink } from '../../src/links/proactive-refresh-link.js';
import { RefreshFailedError, SessionExpiredError } from '../../src/shared/errors.js';
import { asManager, FakeManager } from '../support/fake-manager.js';
import { flushEventLoop } from '../support/flush.js';
import { execute, stubLink } from '../support/stub-link.js';

const setup = (
  options?: ProactiveRefreshLink.Options,
  respond?: Parameters<typeof stubLink>[0],
) => {
  const m = new FakeManager();
  const stub = stubLink(respond);
  const proactive = new ProactiveRefreshLink(asManager(m), options);
  // As createTokenRefreshLink composes them: operations without a usable token wait in the queue.
  const link = ApolloLink.from([
    new AuthLink(asManager(m), { waitForToken: false }),
    proactive,
    stub.link,
  ]);
  return { m, ...stub, proactive, link };
};

describe('ProactiveRefreshLink', () => {
  it('hot path: forwards at once, without waiting', () => {
    const m = new FakeManager();
    const stub = stubLink();
    const link = ApolloLink.from([new ProactiveRefreshLink(asManager(m)), stub.link]);
    const p = execute(link, 1);
    // Synchronous delivery proves there was no queue hop and no promise.
    expect(p.outcome.values).toEqual([{ data: { echo: 1 } }]);
    expect(m.getCalls).toBe(0);
  });

  it('holds operations while a refresh runs and sends them with the new token', async () => {
    const { m, link, sent } = setup();
    m.startRefresh();
    const ops = [1, 2, 3].map((n) => execute(link, n));
    await flushEventLoop();
    expect(sent).toHaveLength(0);
    // Held in the queue, not in AuthLink: nobody has asked for a token yet.
    expect(m.getCalls).toBe(0);
    m.succeed('t2');
    const outs = await Promise.all(ops.map((o) => o.settled));
    expect(outs.map((o) => o.values[0]?.data)).toEqual([{ echo: 1 }, { echo: 2 }, { echo: 3 }]);
    expect(sent.map((s) => s.headers.authorization)).toEqual(Array(3).fill('Bearer t2'));
    expect(sent.map((s) => s.token)).toEqual(['t2', 't2', 't2']);
  });

  it('re-applies the header of an operation that got its token just before a refresh began', async () => {
    const m = new FakeManager();
    const stub = stubLink();
    // A link between AuthLink and the hold that starts a refresh, as a refresh triggered
    // elsewhere (another tab, the scheduler) would between the two links.
    const starter = new ApolloLink((op, forward) => {
      m.startRefresh();
      return forward(op);
    });
    const link = ApolloLink.from([
      new AuthLink(asManager(m)),
      starter,
      new ProactiveRefreshLink(asManager(m)),
      stub.link,
    ]);
    const p = execute(link, 1);
    await flushEventLoop();
    expect(stub.sent).toHaveLength(0);
    m.succeed('t2');
    await p.settled;
    expect(stub.sent[0]?.headers.authorization).toBe('Bearer t2');
  });

  it('after the refresh, new operations take the hot path again', async () => {
    const { m, link, sent } = setup();
    m.startRefresh();
    const held = execute(link, 1);
    m.succeed('t2');
    await held.settled;
    const getCalls = m.getCalls;
    await execute(link, 2).settled;
    expect(m.getCalls).toBe(getCalls); // the token is read without waiting
    expect(sent).toHaveLength(2);
  });

  it('a transient refresh failure errors held operations with RefreshFailedError', async () => {
    const { m, link, sent } = setup();
    m.startRefresh();
    const ops = [1, 2].map((n) => execute(link, n));
    await flushEventLoop();
    const failure = new RefreshFailedError();
    m.fail(failure);
    const outs = await Promise.all(ops.map((o) => o.settled));
    expect(outs.every((o) => o.error === failure)).toBe(true);
    expect(sent).toHaveLength(0);
    // The session is kept: the next operation goes out with the kept token.
    await execute(link, 3).settled;
    expect(sent[0]?.headers.authorization).toBe('Bearer t1');
  });

  it('a session end errors held operations with SessionExpiredError', async () => {
    const { m, link, sent } = setup();
    m.startRefresh();
    const op = execute(link, 1);
    await flushEventLoop();
    m.fail(new SessionExpiredError(), true);
    const out = await op.settled;
    expect(SessionExpiredError.is(out.error)).toBe(true);
    expect(sent).toHaveLength(0);
  });

  it('logout while operations are held ends them with SessionExpiredError', async () => {
    const m = new FakeManager();
    const stub = stubLink();
    const link = ApolloLink.from([new ProactiveRefreshLink(asManager(m)), stub.link]);
    m.startRefresh();
    const op = execute(link, 1);
    const reason = new Error('user logged out');
    m.logout(reason);
    const out = await op.settled;
    expect(SessionExpiredError.is(out.error)).toBe(true);
    expect(stub.sent).toHaveLength(0);
  });

  it('unsubscribing a held operation removes it: never sent, queue left empty', async () => {
    const { m, link, sent } = setup();
    m.startRefresh();
    const gone = execute(link, 1);
    const kept = execute(link, 2);
    await flushEventLoop();
    gone.unsubscribe();
    m.succeed('t2');
    await kept.settled;
    await flushEventLoop();
    expect(sent.map((s) => s.n)).toEqual([2]);
    expect(gone.outcome.done).toBe(false);
    // An empty queue means the next operation is not held behind a leftover entry.
    const p = execute(link, 3);
    await flushEventLoop();
    expect(p.outcome.done).toBe(true);
  });

  it('skip: sent at once during a refresh, without a header', async () => {
    const { m, link, sent } = setup();
    m.startRefresh();
    const out = await execute(link, 1, { tokenRefresh: { skip: true } }).settled;
    expect(out.values).toHaveLength(1);
    expect(sent[0]?.headers).toEqual({});
    m.succeed('t2');
  });

  it('concurrency bounds the released operations in flight', async () => {
    const answers: Subject<ApolloLink.Result>[] = [];
    const { m, link, sent } = setup({ concurrency: 2 }, () => {
      const s = new Subject<ApolloLink.Result>();
      answers.push(s);
      return s;
    });
    m.startRefresh();
    const ops = [1, 2, 3, 4, 5].map((n) => execute(link, n));
    await flushEventLoop();
    m.succeed('t2');
    await flushEventLoop();
    expect(sent).toHaveLength(2);
    // Arriving while held operations drain: queued behind them, not sent ahead.
    const late = execute(link, 6);
    await flushEventLoop();
    expect(sent).toHaveLength(2);
    for (let i = 0; sent.length < 6 && i < 10; i++) {
      const s = answers.shift();
      s?.next({ data: { echo: 0 } });
      s?.complete();
      await flushEventLoop();
    }
    for (const s of answers) {
      s.next({ data: { echo: 0 } });
      s.complete();
    }
    await Promise.all([...ops, late].map((o) => o.settled));
    expect(sent.map((s) => s.n)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects an invalid concurrency with INVALID_OPTION', () => {
    const m = asManager(new FakeManager());
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      expect(() => new ProactiveRefreshLink(m, { concurrency })).toThrow(
        expect.objectContaining({ name: 'TokenRefreshError', code: 'INVALID_OPTION' }),
      );
    }
  });
});
