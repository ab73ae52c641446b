import { z } from 'zod';
import { NOTIFICATION_TYPES, PRIORITIES, type NotificationType, type Priority } from './model.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const ChannelsSchema = z.object({ inbox: z.boolean(), push: z.boolean() }).strict();

/** A user's delivery preferences: channels per type, and quiet hours during which push waits. */
export const PreferencesSchema = z
  .object({
    channels: z.partialRecord(z.enum(NOTIFICATION_TYPES), ChannelsSchema).default({}),
    quietHours: z
      .object({
        enabled: z.boolean(),
        start: hhmm,
        end: hhmm,
        timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. Asia/Seoul'),
      })
      .strict()
      .nullable()
      .default(null),
  })
  .strict();
export type Preferences = z.infer<typeof PreferencesSchema>;

export const DEFAULT_PREFERENCES: Preferences = { channels: {}, quietHours: null };

export interface ChannelPlan {
  /** Gets an inbox row and the SSE event. */
  inbox: boolean;
  /** Gets a push, not before `pushNotBefore` (ms). */
  push: boolean;
  pushNotBefore: number;
}

/** Minutes since local midnight of `at` in `timeZone`. */
export function localMinutes(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const h = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const m = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return h * 60 + m;
}

const toMinutes = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

/**
 * When push may go out, given quiet hours (pure). Inside the window, the end of the window;
 * otherwise now. A window may cross midnight (22:00-07:00). Start equal to end means no window.
 */
export function pushAllowedAt(now: number, quiet: Preferences['quietHours']): number {
  if (!quiet || !quiet.enabled) return now;
  const start = toMinutes(quiet.start);
  const end = toMinutes(quiet.end);
  if (start === end) return now;
  const cur = localMinutes(now, quiet.timeZone);
  const inside = start < end ? cur >= start && cur < end : cur >= start || cur < end;
  if (!inside) return now;
  const wait = (end - cur + 1440) % 1440;
  // Round to the start of the minute the window ends in.
  return now - (now % 60_000) + wait * 60_000;
}

/** Types whose channels cannot be switched off: an emergency call must reach a phone in a locker at 3 a.m. */
export const LOCKED_TYPES: readonly NotificationType[] = ['emergency_call'];
/** Priorities that reach everyone whatever their preferences say. */
export const LOCKED_PRIORITIES: readonly Priority[] = ['urgent'];
/** What the preferences API and the React kit say next to a row that cannot be switched off. */
export const LOCKED_NOTE = 'Urgent notifications always reach you';

/**
 * Critical: priority `urgent`, or an emergency call. A critical notification goes to the inbox, the
 * stream and push whatever the recipient's channels say, ignores quiet hours, and is never folded
 * into a group (`grouping.ts`).
 */
export function isCritical(type: string, priority: Priority): boolean {
  return LOCKED_PRIORITIES.includes(priority) || (LOCKED_TYPES as readonly string[]).includes(type);
}

/** Plans the channels for one recipient (pure). Critical ones ({@link isCritical}) go through on every channel at once. */
export function planChannels(prefs: Preferences, type: NotificationType, priority: Priority, now: number): ChannelPlan {
  if (isCritical(type, priority)) return { inbox: true, push: true, pushNotBefore: now };
  const ch = prefs.channels[type] ?? { inbox: true, push: priority !== 'low' };
  return { inbox: ch.inbox, push: ch.push, pushNotBefore: ch.push ? pushAllowedAt(now, prefs.quietHours) : now };
}

const lockedTypes = () => Object.fromEntries(NOTIFICATION_TYPES.map((t) => [t, LOCKED_TYPES.includes(t)])) as Record<NotificationType, boolean>;
const lockedPriorities = () => Object.fromEntries(PRIORITIES.map((p) => [p, LOCKED_PRIORITIES.includes(p)])) as Record<Priority, boolean>;

/** Which rows of the preferences cannot be switched off (read-only). */
export const LockedSchema = z
  .object({
    types: z.record(z.enum(NOTIFICATION_TYPES), z.boolean()).meta({ description: '`true`: this type always reaches the inbox, the stream and push, at once; its channels cannot be switched off.' }),
    priorities: z.record(z.enum(PRIORITIES), z.boolean()).meta({ description: '`true`: notifications of this priority, of any type, reach every channel at once, in quiet hours too, and are never grouped.' }),
    note: z.string().meta({ description: 'The words to show next to a locked row.' }),
  })
  .strict()
  .meta({ id: 'LockedPreferences', example: { types: { ...lockedTypes() }, priorities: { ...lockedPriorities() }, note: LOCKED_NOTE } });
export type Locked = z.infer<typeof LockedSchema>;

/** The preferences as the API shows them: the saved ones (without locked types' channels) and what is locked. */
export type PreferencesView = Preferences & { locked: Locked };

/** `PUT` takes what `GET` answered: `locked` is read-only and ignored. */
export const PreferencesInputSchema = PreferencesSchema.extend({ locked: LockedSchema.optional() }).strict();

/**
 * The preferences as stored (pure): the channels of locked types are dropped, so a request that
 * switches an emergency call off is accepted and changes nothing; `locked` is not stored.
 */
export function withoutLocked(p: Preferences & { locked?: unknown }): Preferences {
  const channels = { ...p.channels };
  for (const t of LOCKED_TYPES) delete channels[t];
  return { channels, quietHours: p.quietHours };
}

/**
 * The preferences as the API shows them (pure): the saved ones without locked types' channels
 * (saved before they were locked, they are not in force), and which rows are locked.
 */
export function preferencesView(p: Preferences): PreferencesView {
  return { ...withoutLocked(p), locked: { types: lockedTypes(), priorities: lockedPriorities(), note: LOCKED_NOTE } };
}
