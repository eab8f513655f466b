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
  const manager = new FakeManager();
  const stub = stubLink(respond);
  const proactive = new ProactiveRefreshLink(asManager(manager), options);
  // As createTokenRefreshLink composes them: operations without a usable token wait in the queue.
  const link = ApolloLink.from([
    new AuthLink(asManager(manager), { waitForToken: false }),
    proactive,
    stub.link,
  ]);
  return { manager, ...stub, proactive, link };
};

describe('ProactiveRefreshLink', () => {
  it('hot path: forwards at once, without waiting', () => {
    const manager = new FakeManager();
    const stub = stubLink();
    const link = ApolloLink.from([new ProactiveRefreshLink(asManager(manager)), stub.link]);
    const operation = execute(link, 1);
    // Synchronous delivery proves there was no queue hop and no promise.
    expect(operation.outcome.values).toEqual([{ data: { echo: 1 } }]);
    expect(manager.getCalls).toBe(0);
  });

  it('holds operations while a refresh runs and sends them with the new token', async () => {
    const { manager, link, sent } = setup();
    manager.startRefresh();
    const held = [1, 2, 3].map((echo) => execute(link, echo));
    await flushEventLoop();
    expect(sent).toHaveLength(0);
    // Held in the queue, not in AuthLink: nobody has asked for a token yet.
    expect(manager.getCalls).toBe(0);
    manager.succeed('t2');
    const outcomes = await Promise.all(held.map((operation) => operation.settled));
    expect(outcomes.map((outcome) => outcome.values[0]?.data)).toEqual([
      { echo: 1 },
      { echo: 2 },
      { echo: 3 },
    ]);
    expect(sent.map((attempt) => attempt.headers.authorization)).toEqual(
      Array(3).fill('Bearer t2'),
    );
    expect(sent.map((attempt) => attempt.token)).toEqual(['t2', 't2', 't2']);
  });

  it('re-applies the header of an operation that got its token just before a refresh began', async () => {
    const manager = new FakeManager();
    const stub = stubLink();
    // A link between AuthLink and the hold that starts a refresh, as a refresh triggered
    // elsewhere (another tab, the scheduler) would between the two links.
    const starter = new ApolloLink((operation, forward) => {
      manager.startRefresh();
      return forward(operation);
    });
    const link = ApolloLink.from([
      new AuthLink(asManager(manager)),
      starter,
      new ProactiveRefreshLink(asManager(manager)),
      stub.link,
    ]);
    const operation = execute(link, 1);
    await flushEventLoop();
    expect(stub.sent).toHaveLength(0);
    manager.succeed('t2');
    await operation.settled;
    expect(stub.sent[0]?.headers.authorization).toBe('Bearer t2');
  });

  it('after the refresh, new operations take the hot path again', async () => {
    const { manager, link, sent } = setup();
    manager.startRefresh();
    const held = execute(link, 1);
    manager.succeed('t2');
    await held.settled;
    const getCalls = manager.getCalls;
    await execute(link, 2).settled;
    expect(manager.getCalls).toBe(getCalls); // the token is read without waiting
    expect(sent).toHaveLength(2);
  });

  it('a transient refresh failure errors held operations with RefreshFailedError', async () => {
    const { manager, link, sent } = setup();
    manager.startRefresh();
    const held = [1, 2].map((echo) => execute(link, echo));
    await flushEventLoop();
    const failure = new RefreshFailedError();
    manager.fail(failure);
    const outcomes = await Promise.all(held.map((operation) => operation.settled));
    expect(outcomes.every((outcome) => outcome.error === failure)).toBe(true);
    expect(sent).toHaveLength(0);
    // The session is kept: the next operation goes out with the kept token.
    await execute(link, 3).settled;
    expect(sent[0]?.headers.authorization).toBe('Bearer t1');
  });

  it('a session end errors held operations with SessionExpiredError', async () => {
    const { manager, link, sent } = setup();
    manager.startRefresh();
    const held = execute(link, 1);
    await flushEventLoop();
    manager.fail(new SessionExpiredError(), true);
    const outcome = await held.settled;
    expect(SessionExpiredError.is(outcome.error)).toBe(true);
    expect(sent).toHaveLength(0);
  });

  it('logout while operations are held ends them with SessionExpiredError', async () => {
    const manager = new FakeManager();
    const stub = stubLink();
    const link = ApolloLink.from([new ProactiveRefreshLink(asManager(manager)), stub.link]);
    manager.startRefresh();
    const held = execute(link, 1);
    const reason = new Error('user logged out');
    manager.logout(reason);
    const outcome = await held.settled;
    expect(SessionExpiredError.is(outcome.error)).toBe(true);
    expect(stub.sent).toHaveLength(0);
  });

  it('unsubscribing a held operation removes it: never sent, queue left empty', async () => {
    const { manager, link, sent } = setup();
    manager.startRefresh();
    const gone = execute(link, 1);
    const kept = execute(link, 2);
    await flushEventLoop();
    gone.unsubscribe();
    manager.succeed('t2');
    await kept.settled;
    await flushEventLoop();
    expect(sent.map((attempt) => attempt.echo)).toEqual([2]);
    expect(gone.outcome.done).toBe(false);
    // An empty queue means the next operation is not held behind a leftover entry.
    const next = execute(link, 3);
    await flushEventLoop();
    expect(next.outcome.done).toBe(true);
  });

  it('skip: sent at once during a refresh, without a header', async () => {
    const { manager, link, sent } = setup();
    manager.startRefresh();
    const outcome = await execute(link, 1, { tokenRefresh: { skip: true } }).settled;
    expect(outcome.values).toHaveLength(1);
    expect(sent[0]?.headers).toEqual({});
    manager.succeed('t2');
  });

  it('concurrency bounds the released operations in flight', async () => {
    const answers: Subject<ApolloLink.Result>[] = [];
    const { manager, link, sent } = setup({ concurrency: 2 }, () => {
      const answer = new Subject<ApolloLink.Result>();
      answers.push(answer);
      return answer;
    });
    manager.startRefresh();
    const held = [1, 2, 3, 4, 5].map((echo) => execute(link, echo));
    await flushEventLoop();
    manager.succeed('t2');
    await flushEventLoop();
    expect(sent).toHaveLength(2);
    // Arriving while held operations drain: queued behind them, not sent ahead.
    const late = execute(link, 6);
    await flushEventLoop();
    expect(sent).toHaveLength(2);
    // Answer the oldest in flight, one at a time, until all six went out (bounded).
    for (let answered = 0; sent.length < 6 && answered < 10; answered++) {
      const oldest = answers.shift();
      oldest?.next({ data: { echo: 0 } });
      oldest?.complete();
      await flushEventLoop();
    }
    for (const answer of answers) {
      answer.next({ data: { echo: 0 } });
      answer.complete();
    }
    await Promise.all([...held, late].map((operation) => operation.settled));
    expect(sent.map((attempt) => attempt.echo)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects an invalid concurrency with INVALID_OPTION', () => {
    const manager = asManager(new FakeManager());
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      expect(() => new ProactiveRefreshLink(manager, { concurrency })).toThrow(
        expect.objectContaining({ name: 'TokenRefreshError', code: 'INVALID_OPTION' }),
      );
    }
  });
});
