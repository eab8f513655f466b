'use client';

import { useApolloClient, useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useEffect, useState } from 'react';
import {
  EchoDocument,
  ItemDocument,
  MeDocument,
  RenameDocument,
  TicksDocument,
} from '../../lib/__generated__/graphql';
import { useManager, useSessionStatus } from '../../lib/session';

const BURST = 10;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function Dashboard() {
  const manager = useManager();
  const status = useSessionStatus();
  const client = useApolloClient();
  const me = useQuery(MeDocument);
  const item = useQuery(ItemDocument, { variables: { id: '42' } });
  const [rename, renamed] = useMutation(RenameDocument);
  const [ticks, setTicks] = useState(0);
  const tick = useSubscription(TicksDocument, {
    variables: { intervalMs: 500 },
    // Count events rather than show the server's counter: a re-authenticated socket restarts it.
    onData: () => setTicks((n) => n + 1),
  });
  const [refreshes, setRefreshes] = useState(0);
  const [burst, setBurst] = useState<string>('');
  const [round, setRound] = useState(0);
  const [burstError, setBurstError] = useState<string | null>(null);

  useEffect(() => manager?.on('refreshing', () => setRefreshes((n) => n + 1)), [manager]);

  async function fire() {
    const k = round + 1;
    setRound(k);
    setBurst(`#${k}: running`);
    try {
      const results = await Promise.all(
        Array.from({ length: BURST }, (_, n) =>
          client.query({ query: EchoDocument, variables: { n }, fetchPolicy: 'network-only' }),
        ),
      );
      const ok = results.filter((r, n) => r.data?.echo === n).length;
      setBurst(`#${k}: ${ok}/${BURST} ok`);
    } catch (e) {
      setBurstError(message(e));
      setBurst(`#${k}: failed`);
    }
  }

  async function logout() {
    await fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin' });
    await manager?.logout('signed-out');
  }

  const errors = [me.error, item.error, renamed.error, tick.error]
    .filter((e) => e !== undefined)
    .map(message)
    .concat(burstError ?? []);

  return (
    <>
      <section className="card grid">
        <div>
          <div className="label">Session</div>
          <div className={`value status-${status}`} data-testid="status">
            {status}
          </div>
        </div>
        <div>
          <div className="label">Refreshes seen</div>
          <div className="value" data-testid="refreshes">
            {refreshes}
          </div>
        </div>
        <div>
          <div className="label">Ticks received</div>
          <div className="value" data-testid="ticks">
            {ticks}
          </div>
        </div>
        <div>
          <div className="label">Last tick</div>
          <div className="value">{tick.data?.ticks ?? '…'}</div>
        </div>
      </section>

      <section className="card">
        <div className="label">Query: me</div>
        <p data-testid="me-name">{me.data?.me.name ?? 'loading…'}</p>
        <div className="label">Query: item(id: 42)</div>
        <p data-testid="item">
          {item.data ? `${item.data.item.title} · ${item.data.item.price.toFixed(2)}` : 'loading…'}
        </p>
      </section>

      <section className="card">
        <div className="label">Mutation: rename</div>
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            const name = new FormData(e.currentTarget).get('name');
            void rename({ variables: { name: String(name) } }).catch(() => {});
          }}
        >
          <input name="name" placeholder="New display name" required />
          <button type="submit" disabled={renamed.loading}>
            Rename
          </button>
        </form>
      </section>

      <section className="card">
        <div className="label">Concurrency</div>
        <p>
          <button type="button" data-testid="burst-button" onClick={fire}>
            Fire {BURST} queries at once
          </button>{' '}
          <span data-testid="burst">{burst}</span>
        </p>
        <button type="button" data-testid="logout" onClick={logout}>
          Sign out
        </button>
      </section>

      <p className="error" data-testid="errors" role="status">
        {errors.join(' · ')}
      </p>
    </>
  );
}
