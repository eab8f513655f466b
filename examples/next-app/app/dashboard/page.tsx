import { redirect } from 'next/navigation';
import { ItemDocument } from '../../lib/__generated__/graphql';
import { DataBoundary } from '../../lib/client/data-boundary';
import { PreloadQuery } from '../../lib/server/apollo-rsc';
import { requestSession } from '../../lib/server/session';
import { Burst } from './burst';
import { ItemCard, Profile } from './data';
import { LiveTicks } from './live-ticks';
import { RenameForm } from './rename-form';
import { SessionPanel } from './session-panel';

export const dynamic = 'force-dynamic';

export default async function DashboardPage() {
  const { snapshot } = await requestSession();
  // No session cookie at all: never signed in here, or signed out.
  if (!snapshot) redirect('/login');
  const item = (
    <DataBoundary label="item">
      <ItemCard id="42" />
    </DataBoundary>
  );
  return (
    <main>
      <h1>Dashboard</h1>
      <SessionPanel />
      <section className="card data">
        {/* Queried during server rendering of the client component (useSuspenseQuery) */}
        <DataBoundary label="profile">
          <Profile />
        </DataBoundary>
        {/* Queried by a server component, streamed into the client component's cache */}
        {snapshot.status === 'authenticated' ? (
          <PreloadQuery query={ItemDocument} variables={{ id: '42' }}>
            {item}
          </PreloadQuery>
        ) : (
          item
        )}
      </section>
      <RenameForm />
      <Burst />
      <LiveTicks />
    </main>
  );
}
