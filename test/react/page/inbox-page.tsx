/**
 * The page the kit's browser suite opens (bundled by the suite with vite): a button before the
 * inbox (where Tab starts), the bell and <Inbox/> of the user whose token the address carries.
 */
import { createRoot } from 'react-dom/client';
import { Inbox, NotificationBell, WardbellProvider } from '@wardbell/react';

const params = new URLSearchParams(location.search);
const service = params.get('service') ?? '';
const token = params.get('token') ?? '';

createRoot(document.getElementById('root') as HTMLElement).render(
  <WardbellProvider baseUrl={service} getToken={() => token} share={false}>
    <button type="button" id="start">Start</button>
    <NotificationBell />
    <Inbox formatTime={() => '08:00'} />
  </WardbellProvider>,
);
