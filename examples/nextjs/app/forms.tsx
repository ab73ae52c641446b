'use client';
/**
 * The three forms, each posting to its server action (app/actions.ts) and showing the answer.
 * Each submission carries an idempotency key made here: the same one again when the form is sent
 * again before an answer came (a retry acts once), a new one after a success.
 */
import { useActionState, useRef, type ReactNode } from 'react';
import { raiseEmergency, requestSwap, sendNotification, type ActionResult } from './actions';

export interface Colleague {
  userId: string;
  displayName: string;
  wards: string[];
}

export interface ShiftOption {
  id: string;
  label: string;
}

type Action = (prev: ActionResult | null, form: FormData) => Promise<ActionResult>;

const newKey = () => (globalThis.crypto?.randomUUID ? globalThis.crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`);

/** A form bound to a server action, with its idempotency key and the answer under it. */
function ActionForm(props: { action: Action; label: string; submit: string; children: ReactNode }) {
  const key = useRef<string | null>(null);
  const [result, formAction, pending] = useActionState(async (prev: ActionResult | null, form: FormData) => {
    key.current ??= newKey();
    form.set('idempotencyKey', key.current);
    const r = await props.action(prev, form);
    if (r.ok) key.current = null;
    return r;
  }, null);
  return (
    <form action={formAction} className="card" aria-label={props.label}>
      <h2>{props.label}</h2>
      {props.children}
      <button type="submit" disabled={pending}>{pending ? 'Sending…' : props.submit}</button>
      <p role="status" aria-label={`${props.label}: result`} className={result ? (result.ok ? 'result ok' : 'result failed') : 'result'}>
        {result?.message ?? ''}
      </p>
    </form>
  );
}

function ColleagueSelect(props: { colleagues: Colleague[] }) {
  return (
    <label>
      Colleague
      <select name="to" required defaultValue={props.colleagues[0]?.userId}>
        {props.colleagues.map((c) => (
          <option key={c.userId} value={c.userId}>
            {c.displayName} (ward {c.wards.join(', ')})
          </option>
        ))}
      </select>
    </label>
  );
}

export function ActionForms(props: { colleagues: Colleague[]; shifts: ShiftOption[]; ward: string }) {
  return (
    <div className="forms">
      <ActionForm action={sendNotification} label="Send a notification" submit="Send">
        <ColleagueSelect colleagues={props.colleagues} />
        <label>
          Title
          <input name="title" required maxLength={200} placeholder="Bed 12: blood results are back" />
        </label>
        <label>
          Message
          <textarea name="body" maxLength={4000} rows={2} placeholder="Potassium 5.9, please review." />
        </label>
        <label>
          Priority
          <select name="priority" defaultValue="medium">
            <option value="low">low</option>
            <option value="medium">medium</option>
            <option value="high">high</option>
            <option value="urgent">urgent</option>
          </select>
        </label>
      </ActionForm>

      <ActionForm action={requestSwap} label="Request a shift swap" submit="Ask">
        <ColleagueSelect colleagues={props.colleagues} />
        <label>
          My shift they would take
          <select name="shift" required defaultValue={props.shifts[0]?.id}>
            {props.shifts.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Note
          <input name="note" maxLength={500} placeholder="Family event, happy to take your Sunday" />
        </label>
      </ActionForm>

      <ActionForm action={raiseEmergency} label={`Emergency call for ward ${props.ward}`} submit="Call the ward now">
        <label>
          People needed
          <input name="needed" type="number" min={1} max={10} defaultValue={1} required />
        </label>
        <label>
          What is happening
          <input name="message" maxLength={2000} placeholder="Two admissions from the ER, need a hand" />
        </label>
      </ActionForm>
    </div>
  );
}
