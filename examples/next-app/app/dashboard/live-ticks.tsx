'use client';

import { useSubscription } from '@apollo/client/react';
import { useState } from 'react';
import { TicksDocument } from '../../lib/__generated__/graphql';
import { useClock } from '../../lib/client/use-clock';

/**
 * A graphql-ws subscription that lives through every refresh. The server's counter restarts on
 * each new socket (a re-authentication is a new connection), so this counts what arrived
 * instead of showing the server's number.
 */
export function LiveTicks() {
  const [received, setReceived] = useState(0);
  const [lastAt, setLastAt] = useState<number | null>(null);
  const now = useClock(0, 250);
  const { error } = useSubscription(TicksDocument, {
    variables: { intervalMs: 500 },
    onData: () => {
      setReceived((n) => n + 1);
      setLastAt(Date.now());
    },
  });
  return (
    <section className="card grid two">
      <div>
        <div className="label">Subscription: ticks received</div>
        <div className="value" data-testid="ticks">
          {received}
        </div>
      </div>
      <div>
        <div className="label">Last tick</div>
        <div className="value" data-testid="last-tick">
          {lastAt === null ? 'waiting…' : `${(Math.max(0, now - lastAt) / 1000).toFixed(1)} s ago`}
        </div>
      </div>
      {error && (
        <p className="error" data-testid="error">
          {error.message}
        </p>
      )}
    </section>
  );
}
