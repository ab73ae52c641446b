'use server';
/**
 * Server actions: each runs on this server with the signed-in user from the session cookie and
 * calls Wardbell through the typed API client under the app's API key. The browser never holds the
 * key; it passes an idempotency key with each form, so a resubmitted form (a double click, a retry
 * after a lost answer) is answered with the first result instead of acting twice.
 */
import { randomUUID } from 'node:crypto';
import { redirect } from 'next/navigation';
import { currentUser, endSession, startSession } from '../lib/session';
import { colleaguesOf, staffMember, upcomingShifts, type StaffMember } from '../lib/staff';
import { describeFailure, syncDirectory, withDirectory } from '../lib/wardbell';

export type ActionResult = { ok: boolean; message: string; at: number };

const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
type Priority = (typeof PRIORITIES)[number];

const text = (form: FormData, name: string, max: number) => String(form.get(name) ?? '').trim().slice(0, max);

/** The form's idempotency key (made by the page per submission), else a new one. */
function idempotencyKey(form: FormData): string {
  const k = text(form, 'idempotencyKey', 100);
  return /^[A-Za-z0-9_-]{8,100}$/.test(k) ? k : randomUUID();
}

async function signedIn(): Promise<StaffMember> {
  const me = await currentUser();
  if (!me) redirect('/sign-in');
  return me;
}

function colleague(me: StaffMember, form: FormData): StaffMember | null {
  const id = text(form, 'to', 128);
  return colleaguesOf(me).find((c) => c.userId === id) ?? null;
}

const done = (message: string): ActionResult => ({ ok: true, message, at: Date.now() });
const failed = (message: string): ActionResult => ({ ok: false, message, at: Date.now() });

/** A message to one colleague (`POST /api/notifications`, to one user). */
export async function sendNotification(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const me = await signedIn();
  const to = colleague(me, form);
  if (!to) return failed('Choose a colleague from your hospital.');
  const title = text(form, 'title', 200);
  if (!title) return failed('Write a title.');
  const body = text(form, 'body', 4000);
  const p = text(form, 'priority', 10);
  const priority: Priority = (PRIORITIES as readonly string[]).includes(p) ? (p as Priority) : 'medium';
  try {
    const { notification } = await withDirectory(me.tenantId, (api) =>
      api.notifications.send({ title, body, priority, to: { users: [to.userId] }, data: { from: me.userId, fromName: me.displayName } }, { idempotencyKey: idempotencyKey(form) }),
    );
    return done(`Sent “${notification.title}” to ${to.displayName}.`);
  } catch (err) {
    return failed(describeFailure(err));
  }
}

/** Ask a colleague to take one of my shifts (`POST /api/swaps`): they get Approve and Reject. */
export async function requestSwap(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const me = await signedIn();
  const to = colleague(me, form);
  if (!to) return failed('Choose a colleague from your hospital.');
  const shift = upcomingShifts(me).find((s) => s.id === text(form, 'shift', 128));
  if (!shift) return failed('Choose one of your shifts.');
  const note = text(form, 'note', 500);
  try {
    const { swap } = await withDirectory(me.tenantId, (api) =>
      api.swaps.request(
        { requesterId: me.userId, targetId: to.userId, shift: { id: shift.id, startsAt: shift.startsAt, endsAt: shift.endsAt, ward: shift.ward, label: shift.label }, ...(note ? { note } : {}) },
        { idempotencyKey: idempotencyKey(form) },
      ),
    );
    return done(`Asked ${to.displayName} to take ${shift.label} (swap ${swap.status}).`);
  } catch (err) {
    return failed(describeFailure(err));
  }
}

/** Call the ward for help now (`POST /api/emergency-calls` to `ward:<my ward>`): the first `needed` accepts fill it. */
export async function raiseEmergency(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const me = await signedIn();
  const ward = me.wards[0];
  if (!ward) return failed('You are in no ward.');
  const needed = Math.min(10, Math.max(1, Math.floor(Number(form.get('needed')) || 1)));
  const message = text(form, 'message', 2000);
  try {
    const created = await withDirectory(me.tenantId, (api) =>
      api.emergencyCalls.create(
        { to: { topic: `ward:${ward}` }, needed, title: `Ward ${ward} needs help now`, message, details: { ward, raisedBy: me.userId, raisedByName: me.displayName }, escalateTo: null },
        { idempotencyKey: idempotencyKey(form) },
      ),
    );
    return done(`Emergency call raised for ward ${ward}: ${created.recipients} ${created.recipients === 1 ? 'person' : 'people'} reached, ${needed} needed.`);
  } catch (err) {
    return failed(describeFailure(err));
  }
}

/** Development sign-in as a demo staff member (`tenant/user` in the form). */
export async function signIn(form: FormData): Promise<void> {
  const [tenantId = '', userId = ''] = text(form, 'staff', 260).split('/');
  const user = staffMember(tenantId, userId);
  if (!user) redirect('/sign-in');
  await startSession(user);
  // The hospital's staff into Wardbell's directory now; a failure here is retried with the first call.
  await syncDirectory(user.tenantId).catch((err: unknown) => console.warn(`directory sync for ${user.tenantId} failed: ${describeFailure(err)}`));
  redirect('/');
}

export async function signOut(): Promise<void> {
  await endSession();
  redirect('/sign-in');
}
