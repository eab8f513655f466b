import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Providers } from '../lib/client/providers';
import { serverConfig } from '../lib/server/config';
import { requestSession } from '../lib/server/session';
import { SessionHeader } from './session-header';
import './globals.css';

// Every page reads cookies or env at request time.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'apollo-token-refresh · Next.js example' };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The page gets what the session looks like (user, expiry: nothing secret) and the token
  // encrypted for server rendering only. Never the token itself: whatever a server component
  // passes to a client component is in the HTML and the RSC payload.
  const { snapshot, cloaked } = await requestSession();
  return (
    <html lang="en">
      <body>
        <Providers config={serverConfig().client} snapshot={snapshot} cloakedToken={cloaked}>
          <SessionHeader />
          {children}
        </Providers>
      </body>
    </html>
  );
}
