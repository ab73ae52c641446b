import { describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCES, localMinutes, planChannels, PreferencesSchema, pushAllowedAt } from '../../packages/wardbell/src/notifications/index.js';

// 2026-11-26 13:30 UTC = 22:30 in Seoul (UTC+9, no DST).
const at2230Seoul = Date.UTC(2026, 10, 26, 13, 30);
const quiet = { enabled: true, start: '22:00', end: '07:00', timeZone: 'Asia/Seoul' };

describe('quiet hours', () => {
  it('reads local time in the user\'s zone', () => {
    expect(localMinutes(at2230Seoul, 'Asia/Seoul')).toBe(22 * 60 + 30);
    expect(localMinutes(at2230Seoul, 'UTC')).toBe(13 * 60 + 30);
  });

  it('holds push until the window ends, across midnight', () => {
    expect(pushAllowedAt(at2230Seoul, quiet)).toBe(Date.UTC(2026, 10, 26, 22, 0)); // 07:00 Seoul
  });

  it('lets push through outside the window', () => {
    const noonSeoul = Date.UTC(2026, 10, 26, 3, 0);
    expect(pushAllowedAt(noonSeoul, quiet)).toBe(noonSeoul);
  });

  it('handles a same-day window', () => {
    const q = { enabled: true, start: '12:00', end: '13:00', timeZone: 'UTC' };
    expect(pushAllowedAt(Date.UTC(2026, 0, 1, 12, 15), q)).toBe(Date.UTC(2026, 0, 1, 13, 0));
    expect(pushAllowedAt(Date.UTC(2026, 0, 1, 13, 0), q)).toBe(Date.UTC(2026, 0, 1, 13, 0));
  });

  it('ignores a disabled window', () => {
    expect(pushAllowedAt(at2230Seoul, { ...quiet, enabled: false })).toBe(at2230Seoul);
  });
});

describe('channel planning', () => {
  it('sends urgent on every channel at once, whatever the preferences', () => {
    const prefs = PreferencesSchema.parse({ channels: { emergency_call: { inbox: false, push: false } }, quietHours: quiet });
    expect(planChannels(prefs, 'emergency_call', 'urgent', at2230Seoul)).toEqual({ inbox: true, push: true, pushNotBefore: at2230Seoul });
  });

  it('defers non-urgent push during quiet hours but keeps the inbox live', () => {
    const prefs = PreferencesSchema.parse({ quietHours: quiet });
    expect(planChannels(prefs, 'swap_requested', 'high', at2230Seoul)).toEqual({ inbox: true, push: true, pushNotBefore: Date.UTC(2026, 10, 26, 22, 0) });
  });

  it('follows per-type channel choices', () => {
    const prefs = PreferencesSchema.parse({ channels: { schedule_updated: { inbox: true, push: false } } });
    expect(planChannels(prefs, 'schedule_updated', 'high', 0)).toMatchObject({ inbox: true, push: false });
  });

  it('does not push low-priority notifications by default', () => {
    expect(planChannels(DEFAULT_PREFERENCES, 'general', 'low', 0).push).toBe(false);
    expect(planChannels(DEFAULT_PREFERENCES, 'general', 'medium', 0).push).toBe(true);
  });

  it.each([
    [{ quietHours: { enabled: true, start: '25:00', end: '07:00', timeZone: 'UTC' } }],
    [{ quietHours: { enabled: true, start: '22:00', end: '07:00', timeZone: 'Mars/Olympus' } }],
    [{ channels: { unknown_type: { inbox: true, push: true } } }],
    [{ channels: { general: { inbox: 'yes', push: true } } }],
    [{ extra: 1 }],
  ])('refuses invalid preferences %j', (p) => {
    expect(PreferencesSchema.safeParse(p).success).toBe(false);
  });
});
