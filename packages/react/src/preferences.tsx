import { useEffect, useId, useState } from 'react';
import { usePreferences, type Preferences } from './use-action.js';

type Channels = NonNullable<Preferences['channels']>;
type Kind = keyof Channels;

/** What the kit says next to a row that cannot be switched off (the service's `locked.note` when it sends one). */
const LOCKED_NOTE = 'Urgent notifications always reach you';

const KINDS: ReadonlyArray<readonly [Kind, string]> = [
  ['emergency_call', 'Emergency calls'],
  ['swap_requested', 'Swap requests'],
  ['swap_approved', 'Swaps approved'],
  ['swap_rejected', 'Swaps declined'],
  ['schedule_published', 'New schedules'],
  ['schedule_updated', 'Schedule changes'],
  ['shift_reminder', 'Shift reminders'],
  ['general', 'Other messages'],
];

export interface NotificationPreferencesProps {
  /** Labels per notification type, replacing the English ones. */
  labels?: Partial<Record<Kind, string>>;
  /** The row for urgent notifications of any kind, and the note next to locked rows, replacing the English ones. */
  urgentLabel?: string;
  lockedNote?: string;
  className?: string;
  onSaved?: (p: Preferences) => void;
}

/**
 * The user's delivery preferences as a form: for each kind of notification, inbox and push; quiet
 * hours with their time zone. Saved with one call; native inputs, so it is keyboard operable.
 * What the service says is locked (`locked`: emergency calls, and urgent notifications of any kind)
 * is shown checked and disabled, with the note "Urgent notifications always reach you".
 */
export function NotificationPreferences(props: NotificationPreferencesProps) {
  const { preferences, save, saving, error } = usePreferences();
  const uid = useId();
  const [draft, setDraft] = useState<Preferences | null>(null);
  useEffect(() => setDraft(preferences), [preferences]);
  if (!draft) return <p className="wardbell-preferences-loading">{error ? 'The preferences could not be loaded.' : 'Loading…'}</p>;
  const channels: Channels = draft.channels ?? {};
  const isLocked = (k: Kind) => draft.locked?.types[k] === true;
  const channel = (k: Kind) => (isLocked(k) ? { inbox: true, push: true } : channels[k] ?? { inbox: true, push: true });
  const note = props.lockedNote ?? draft.locked?.note ?? LOCKED_NOTE;
  const urgentName = props.urgentLabel ?? 'Urgent (any kind)';
  const lockedRow = (key: string, name: string) => (
    <tr key={key} className="wardbell-preferences-locked">
      <th scope="row">{name}<br /><small id={`${uid}-${key}`}>{note}</small></th>
      <td><input type="checkbox" aria-label={`${name}: inbox`} aria-describedby={`${uid}-${key}`} checked disabled readOnly /></td>
      <td><input type="checkbox" aria-label={`${name}: push`} aria-describedby={`${uid}-${key}`} checked disabled readOnly /></td>
    </tr>
  );
  const setChannel = (k: Kind, which: 'inbox' | 'push', on: boolean) => setDraft({ ...draft, channels: { ...channels, [k]: { ...channel(k), [which]: on } } });
  const quiet = draft.quietHours ?? { enabled: false, start: '22:00', end: '07:00', timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone };
  const setQuiet = (q: Partial<typeof quiet>) => setDraft({ ...draft, quietHours: { ...quiet, ...q } });
  return (
    <form
      className={`wardbell-preferences ${props.className ?? ''}`.trim()}
      onSubmit={(e) => {
        e.preventDefault();
        void save(draft).then((ok) => ok && props.onSaved?.(draft));
      }}
    >
      <table>
        <thead>
          <tr><th scope="col">Notification</th><th scope="col">Inbox</th><th scope="col">Push</th></tr>
        </thead>
        <tbody>
          {KINDS.map(([k, label]) => {
            const name = props.labels?.[k] ?? label;
            if (isLocked(k)) return lockedRow(k, name);
            return (
              <tr key={k}>
                <th scope="row">{name}</th>
                <td><input type="checkbox" aria-label={`${name}: inbox`} checked={channel(k).inbox} onChange={(e) => setChannel(k, 'inbox', e.currentTarget.checked)} /></td>
                <td><input type="checkbox" aria-label={`${name}: push`} checked={channel(k).push} onChange={(e) => setChannel(k, 'push', e.currentTarget.checked)} /></td>
              </tr>
            );
          })}
          {draft.locked?.priorities.urgent ? lockedRow('urgent', urgentName) : null}
        </tbody>
      </table>
      <fieldset>
        <legend>Quiet hours</legend>
        <label><input type="checkbox" checked={quiet.enabled} onChange={(e) => setQuiet({ enabled: e.currentTarget.checked })} /> No pushes between</label>
        <input type="time" aria-label="Quiet hours start" value={quiet.start} onChange={(e) => setQuiet({ start: e.currentTarget.value })} />
        <input type="time" aria-label="Quiet hours end" value={quiet.end} onChange={(e) => setQuiet({ end: e.currentTarget.value })} />
        <input type="text" aria-label="Time zone" value={quiet.timeZone} onChange={(e) => setQuiet({ timeZone: e.currentTarget.value })} />
      </fieldset>
      {error ? <p role="alert">{error.message}</p> : null}
      <button type="submit" disabled={saving}>{saving ? 'Saving…' : 'Save'}</button>
    </form>
  );
}
