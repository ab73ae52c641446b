import { HOSPITALS, staffOf } from '../../lib/staff';
import { currentUser } from '../../lib/session';
import { signIn } from '../actions';

/** Development sign-in: choose who you are. A real app signs people in through its identity provider. */
export default async function SignIn() {
  const me = await currentUser();
  return (
    <div className="sign-in">
      <h1>Sign in (development)</h1>
      <p>
        Choose a staff member. The app keeps who you are in a signed, httpOnly cookie and mints your Wardbell token from it.
        {me ? ` You are signed in as ${me.displayName}; choosing another switches.` : ''}
      </p>
      {HOSPITALS.map((h) => (
        <section key={h.id} aria-label={h.name} className="card">
          <h2>
            {h.name} <small>({h.id})</small>
          </h2>
          <ul className="staff-list">
            {staffOf(h.id).map((s) => (
              <li key={s.userId}>
                <form action={signIn}>
                  <input type="hidden" name="staff" value={`${s.tenantId}/${s.userId}`} />
                  <button type="submit" aria-label={`Sign in as ${s.displayName}`}>
                    {s.displayName}
                  </button>
                  <span className="staff-meta">
                    {s.userId} · ward {s.wards.join(', ')} · {s.roles.join(', ')}
                  </span>
                </form>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
