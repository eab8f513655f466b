import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { MeDocument } from '../../lib/__generated__/graphql';
import { getClient } from '../../lib/apollo-rsc';
import { ACCESS_COOKIE } from '../../lib/config';
import { Dashboard } from './dashboard';
import { SessionGate } from './session-gate';

export const dynamic = 'force-dynamic';

export default async function DashboardPage() {
  const token = (await cookies()).get(ACCESS_COOKIE)?.value;
  // No cookie at all: never signed in here, or signed out.
  if (!token) redirect('/login');
  let user: string | null = null;
  try {
    const { data } = await (await getClient()).query({ query: MeDocument });
    user = data?.me.id ?? null;
  } catch {
    // Expired or revoked: render without server data; the browser refreshes or signs out.
  }
  return (
    <main>
      <h1>Dashboard</h1>
      <p className="card">
        <span className="label">Server-rendered for </span>
        <strong data-testid="ssr-user">{user ?? '(resuming in the browser)'}</strong>
      </p>
      <SessionGate>
        <Dashboard />
      </SessionGate>
    </main>
  );
}
