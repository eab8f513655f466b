'use client';

import { useTokenExpiry, useTokenStatus } from 'apollo-token-refresh/react';
import { useSession } from '../../lib/client/session-context';
import { useActivity } from '../../lib/client/use-activity';
import { useClock } from '../../lib/client/use-clock';

/** A refresh takes ~15 ms here: shown for at least this long, so a person can see it happen. */
const MIN_VISIBLE_REFRESH_MS = 1_000;

const seconds = (ms: number) => `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
const clockTime = (at: number) =>
  new Date(at).toLocaleTimeString('en-GB', { hour12: false }) +
  `.${String(at % 1000).padStart(3, '0')}`;

/** The session as this tab sees it: status, expiry countdown, counters and an event log. */
export function SessionPanel() {
  const { session, snapshot, view, hydrated, accessTtlMs } = useSession();
  const liveStatus = useTokenStatus(view);
  const liveExpiresAt = useTokenExpiry(view);
  // The hooks render "unauthenticated" on the server and while hydrating (they cannot know
  // better); this page can: the server's snapshot of the session, until hydration is done.
  const status = hydrated ? liveStatus : (snapshot?.status ?? 'unauthenticated');
  const expiresAt = hydrated ? liveExpiresAt : (snapshot?.expiresAt ?? null);
  const activity = useActivity(session);
  const now = useClock(snapshot?.renderedAt ?? 0);

  const refreshStartedAt = activity.lastRefreshStartedAt;
  const shown =
    status === 'refreshing' ||
    (hydrated && refreshStartedAt !== null && now - refreshStartedAt < MIN_VISIBLE_REFRESH_MS)
      ? 'refreshing'
      : status;
  const left = expiresAt === null ? null : expiresAt - now;

  return (
    <section className="card session">
      <div className="grid">
        <div>
          <div className="label">Session</div>
          <div className={`value status status-${shown}`} data-testid="status" aria-live="polite">
            {shown === 'refreshing' ? 'refreshing…' : shown}
          </div>
        </div>
        <div>
          <div className="label">Access token expires in</div>
          <div className="value" data-testid="expires-in">
            {left === null ? '—' : seconds(left)}
          </div>
        </div>
        <div>
          <div className="label">Refreshes in this tab</div>
          <div className="value" data-testid="refreshes">
            {activity.refreshes}
          </div>
        </div>
        <div>
          <div className="label">Socket re-authentications</div>
          <div className="value" data-testid="socket-reauths">
            {activity.socketReauths}
          </div>
        </div>
      </div>
      <div className="lifetime" aria-hidden="true">
        <div
          className={`lifetime-left status-${shown}`}
          style={{
            width: `${left === null ? 0 : Math.min(100, (100 * Math.max(0, left)) / accessTtlMs)}%`,
          }}
        />
      </div>
      <div className="label">Events in this tab</div>
      <ol className="log" data-testid="event-log">
        {activity.events.map((event) => (
          <li key={event.id} className={`event-${event.kind}`}>
            <time>{clockTime(event.at)}</time> {event.text}
          </li>
        ))}
        {activity.events.length === 0 && <li className="muted">nothing yet</li>}
      </ol>
    </section>
  );
}
