import { describe, expect, it } from 'vitest';
import { describeError } from '../support/outcomes.js';
import { issuedIndexes, useEnvironment } from './environment.js';

const start = useEnvironment();
const byNumber = (a: number, b: number) => a - b;

// graphql-yoga's JWT plugin refuses a token with HTTP 401 and
// `{"errors":[{"message":"Unauthenticated"}]}`, no `extensions.code`. That is an auth error too.
describe('graphql-yoga 5 + @graphql-yoga/plugin-jwt 3', () => {
  it('a 401 without extensions.code triggers one refresh and one retry per operation', async () => {
    const { app, endpoint, stack, leaks } = await start('yoga', 'rotating');
    expect(await app.echo(0)).toBe(0);
    const held = (await app.manager.getAccessToken()) as string;

    // The server rotates its signing key: the token the client holds (and believes valid for
    // minutes) is refused from now on.
    endpoint.key.rotate();

    // The condition as the server really answers it.
    const raw = await fetch(stack.http.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        authorization: `Bearer ${held}`,
      },
      body: JSON.stringify({ query: '{ echo(n: 0) }' }),
    });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({ errors: [{ message: 'Unauthenticated' }] });

    const sentBefore = stack.http.tokens.length;
    const [echo, executions] = await Promise.all([app.echo(1), app.record('after-rotation')]);

    expect(app.failures.map(describeError)).toEqual([]);
    expect(echo).toBe(1);
    expect(executions).toBe(1);
    expect(stack.shared.executions.get('after-rotation')).toBe(1);
    expect(endpoint.stats.refreshes).toBe(1);
    const fresh = endpoint.issued.indexOf((await app.manager.getAccessToken()) as string);
    const rejected = endpoint.issued.indexOf(held);
    // Each operation: one request refused with the old token, one retry with the new one.
    expect(
      issuedIndexes(endpoint.issued, stack.http.tokens.slice(sentBefore)).sort(byNumber),
    ).toEqual([rejected, rejected, fresh, fresh].sort(byNumber));
    expect(app.logouts).toHaveLength(0);
    expect(leaks()).toEqual([]);
  });
});
