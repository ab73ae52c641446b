import '@wardbell/react/styles.css';
import './globals.css';
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { env } from '../lib/env';
import { currentUser } from '../lib/session';
import { hospital } from '../lib/staff';
import { ServiceWorker } from './service-worker';
import { WardbellShell } from './wardbell-shell';

export const metadata: Metadata = { title: 'Ward roster · Wardbell with Next.js' };

/**
 * Signed in: the frame with the bell (WardbellShell); signed out: the page alone (the sign-in page).
 * Every page registers the app's service worker (/sw.js) as it loads.
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  return (
    <html lang="en">
      <body>
        <ServiceWorker />
        {user ? (
          <WardbellShell
            baseUrl={env.publicWardbellUrl()}
            user={{ tenantId: user.tenantId, userId: user.userId, displayName: user.displayName, hospitalName: hospital(user.tenantId)?.name ?? user.tenantId, wards: user.wards }}
          >
            {children}
          </WardbellShell>
        ) : (
          <main className="content">{children}</main>
        )}
      </body>
    </html>
  );
}
