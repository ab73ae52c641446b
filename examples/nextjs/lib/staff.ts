/**
 * The demo hospitals and their staff: the app's own user directory. In a real scheduling app this
 * is its database (and its identity provider's users); Wardbell learns the same people through
 * `PUT /api/directory/members` (lib/wardbell.ts), so ward and role notifications reach everyone,
 * also staff who have no page open.
 */

export interface Hospital {
  /** Wardbell's tenant id. */
  id: string;
  name: string;
  timeZone: string;
  /** The time zone's offset, fixed for the demo (neither zone has daylight saving time). */
  utcOffset: string;
}

export interface StaffMember {
  tenantId: string;
  userId: string;
  displayName: string;
  roles: string[];
  wards: string[];
}

export const HOSPITALS: readonly Hospital[] = [
  { id: 'hospital-a', name: 'Hangang General Hospital', timeZone: 'Asia/Seoul', utcOffset: '+09:00' },
  { id: 'hospital-b', name: 'Riverside Hospital', timeZone: 'Asia/Singapore', utcOffset: '+08:00' },
];

export const STAFF: readonly StaffMember[] = [
  { tenantId: 'hospital-a', userId: 'nurse-kim', displayName: 'Kim Min-ji', roles: ['nurse'], wards: ['3'] },
  { tenantId: 'hospital-a', userId: 'nurse-lee', displayName: 'Lee Seo-yeon', roles: ['nurse'], wards: ['3'] },
  { tenantId: 'hospital-a', userId: 'charge-park', displayName: 'Park Ji-hoon', roles: ['nurse', 'charge_nurse'], wards: ['3'] },
  { tenantId: 'hospital-a', userId: 'nurse-choi', displayName: 'Choi Yuna', roles: ['nurse'], wards: ['5'] },
  { tenantId: 'hospital-b', userId: 'nurse-tan', displayName: 'Tan Wei Ling', roles: ['nurse'], wards: ['2'] },
  { tenantId: 'hospital-b', userId: 'nurse-lim', displayName: 'Lim Jun Hao', roles: ['nurse'], wards: ['2'] },
  { tenantId: 'hospital-b', userId: 'charge-ng', displayName: 'Ng Mei', roles: ['nurse', 'charge_nurse'], wards: ['2'] },
];

export function hospital(tenantId: string): Hospital | undefined {
  return HOSPITALS.find((h) => h.id === tenantId);
}

export function staffMember(tenantId: string, userId: string): StaffMember | undefined {
  return STAFF.find((s) => s.tenantId === tenantId && s.userId === userId);
}

export function staffOf(tenantId: string): StaffMember[] {
  return STAFF.filter((s) => s.tenantId === tenantId);
}

/** Everyone in the user's hospital but the user. */
export function colleaguesOf(me: StaffMember): StaffMember[] {
  return staffOf(me.tenantId).filter((s) => s.userId !== me.userId);
}

export interface Shift {
  id: string;
  label: string;
  ward: string;
  startsAt: string;
  endsAt: string;
}

const KINDS = [
  { kind: 'day', label: 'Day', start: '07:00', end: '15:00', nextDay: false },
  { kind: 'evening', label: 'Evening', start: '15:00', end: '23:00', nextDay: false },
  { kind: 'night', label: 'Night', start: '23:00', end: '07:00', nextDay: true },
] as const;

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The user's shifts of the next three days in the hospital's local time (pure but for `now`). */
export function upcomingShifts(me: StaffMember, now = Date.now()): Shift[] {
  const h = hospital(me.tenantId);
  if (!h) return [];
  const sign = h.utcOffset.startsWith('-') ? -1 : 1;
  const [oh, om] = h.utcOffset.slice(1).split(':').map(Number) as [number, number];
  const localNow = now + sign * (oh * 60 + om) * 60_000;
  const ward = me.wards[0] ?? 'none';
  const shifts: Shift[] = [];
  for (let d = 1; d <= 3; d++) {
    const date = isoDate(localNow + d * 86_400_000);
    const next = isoDate(localNow + (d + 1) * 86_400_000);
    for (const k of KINDS) {
      shifts.push({
        id: `${ward}-${date}-${k.kind}`,
        label: `${date} ${k.label} (${k.start}–${k.end}), ward ${ward}`,
        ward,
        startsAt: `${date}T${k.start}:00${h.utcOffset}`,
        endsAt: `${k.nextDay ? next : date}T${k.end}:00${h.utcOffset}`,
      });
    }
  }
  return shifts;
}
