import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { ACCESS_COOKIE, serverConfig } from '../lib/config';
import { Providers } from '../lib/session';
import './globals.css';

// Every page reads cookies or env at request time.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'apollo-token-refresh · Next.js example' };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Seeds a new tab's manager, so a page load costs no refresh. Expired or revoked, it is simply
  // refreshed (or the session ends) on first use, like any stored token.
  const token = (await cookies()).get(ACCESS_COOKIE)?.value ?? null;
  return (
    <html lang="en">
      <body>
        <Providers config={serverConfig().client} initialToken={token}>
          {children}
        </Providers>
      </body>
    </html>
  );
}
