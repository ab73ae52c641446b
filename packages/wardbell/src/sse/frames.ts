import type { StoredEvent } from '../events/index.js';
import { encodeFrameBytes } from './encoder.js';

// Building frames (pure): each event is encoded once; a personal field is spliced per recipient.

/** The shared frame of an event, the same bytes for every recipient. */
export function encodeEvent(e: StoredEvent): Buffer {
  return encodeFrameBytes({ id: e.id, event: e.type, data: JSON.stringify(e.data) });
}

export interface PersonalFrames {
  prefix: string;
  suffix: string;
  values: Record<string, unknown>;
}

/**
 * Splits an event with a personal field into the text before and after the per-recipient value,
 * so each recipient costs one small concatenation instead of a JSON encoding of the whole event.
 * JSON text never holds a raw line break, so the data stays on one `data:` line.
 */
export function personalFrames(e: StoredEvent): PersonalFrames | null {
  if (!e.personal) return null;
  const json = JSON.stringify(e.data);
  if (!json.startsWith('{')) return null;
  const body = json.slice(0, -1) + (json.length > 2 ? ',' : '');
  return {
    prefix: `id: ${e.id}\nevent: ${e.type}\ndata: ${body}${JSON.stringify(e.personal.field)}:`,
    suffix: '}\n\n',
    values: e.personal.values,
  };
}

/** The frame for one connection: the shared frame, or with its personal field spliced in. */
export function frameFor(e: StoredEvent, userId: string, shared: () => Buffer, personal: PersonalFrames | null): Buffer {
  if (!personal) return shared();
  const v = personal.values[userId];
  if (v === undefined) return shared();
  return Buffer.from(personal.prefix + JSON.stringify(v) + personal.suffix, 'utf8');
}
