import { redirect } from 'next/navigation';
import { currentUser } from '../lib/session';
import { colleaguesOf, upcomingShifts } from '../lib/staff';
import { ActionForms } from './forms';

export default async function Home() {
  const me = await currentUser();
  if (!me) redirect('/sign-in');
  const colleagues = colleaguesOf(me).map((c) => ({ userId: c.userId, displayName: c.displayName, wards: c.wards }));
  const shifts = upcomingShifts(me).map((s) => ({ id: s.id, label: s.label }));
  return (
    <>
      <p className="intro">
        Signed in as <strong>{me.displayName}</strong>. Open this app in a second browser (or a private window) as a colleague: what you send here
        arrives in their bell at once, and their answers come back to yours.
      </p>
      <ActionForms colleagues={colleagues} shifts={shifts} ward={me.wards[0] ?? ''} />
    </>
  );
}
