/**
 * Event ids are `<epoch>-<offset>`: the epoch names one incarnation of a tenant's log (a log that is
 * lost or flushed starts a new epoch, so old ids are recognisably foreign); the offset counts events
 * in that log from 1. Offsets are zero-padded to 12 digits so ids of one epoch also sort as strings.
 * Only ASCII letters, digits and '-' appear: safe in an SSE `id:` line and in a header.
 */
export interface EventPosition {
  epoch: string;
  offset: number;
}

const OFFSET_DIGITS = 12;
const ID_RE = /^([a-z0-9]{4,16})-(\d{1,15})$/;

export function formatEventId(epoch: string, offset: number): string {
  return `${epoch}-${String(offset).padStart(OFFSET_DIGITS, '0')}`;
}

/** Parses a Last-Event-ID; null for anything that is not an id this service could have issued. */
export function parseEventId(raw: string): EventPosition | null {
  if (raw.length > 40) return null;
  const m = ID_RE.exec(raw);
  if (!m) return null;
  const offset = Number(m[2]);
  if (!Number.isSafeInteger(offset)) return null;
  return { epoch: m[1] as string, offset };
}

/** A new random epoch: 10 lowercase base-36 characters. */
export function newEpoch(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n.toString(36).padStart(13, '0').slice(-10);
}
