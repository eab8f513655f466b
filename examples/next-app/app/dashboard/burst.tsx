'use client';

import { useApolloClient } from '@apollo/client/react';
import { useState } from 'react';
import { EchoDocument } from '../../lib/__generated__/graphql';

const BURST = 10;

/** Ten queries at once: while a refresh runs they wait for it, and none goes out with an old token. */
export function Burst() {
  const client = useApolloClient();
  const [round, setRound] = useState(0);
  const [result, setResult] = useState('');
  const [error, setError] = useState<string | null>(null);

  async function fire() {
    const k = round + 1;
    setRound(k);
    setResult(`#${k}: running`);
    try {
      const results = await Promise.all(
        Array.from({ length: BURST }, (_, n) =>
          client.query({ query: EchoDocument, variables: { n }, fetchPolicy: 'network-only' }),
        ),
      );
      const ok = results.filter((r, n) => r.data?.echo === n).length;
      setResult(`#${k}: ${ok}/${BURST} ok`);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setResult(`#${k}: failed`);
    }
  }

  return (
    <section className="card">
      <div className="label">Concurrency</div>
      <p>
        <button type="button" data-testid="burst-button" onClick={fire}>
          Fire {BURST} queries at once
        </button>{' '}
        <span data-testid="burst">{result}</span>
      </p>
      {error && (
        <p className="error" data-testid="error">
          {error}
        </p>
      )}
    </section>
  );
}
