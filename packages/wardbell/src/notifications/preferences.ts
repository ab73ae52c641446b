import { z } from 'zod';
import { NOTIFICATION_TYPES, type NotificationType, type Priority } from './model.js';

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

/**
 * Plans the channels for one recipient (pure). Urgent always goes through on every channel and
 * ignores quiet hours: an emergency call must reach a phone in a locker at 3 a.m.
 */
export function planChannels(prefs: Preferences, type: NotificationType, priority: Priority, now: number): ChannelPlan {
  if (priority === 'urgent') return { inbox: true, push: true, pushNotBefore: now };
  const ch = prefs.channels[type] ?? { inbox: true, push: priority !== 'low' };
  return { inbox: ch.inbox, push: ch.push, pushNotBefore: ch.push ? pushAllowedAt(now, prefs.quietHours) : now };
}
