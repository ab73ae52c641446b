/**
 * The one SSE encoder (WHATWG HTML, "Server-sent events", event stream format).
 * - `event` and `id` may not hold CR or LF: a line break would end the field and let the rest be
 *   read as another field (header injection into the stream). `id` may not hold NUL either: a
 *   conforming client ignores such an id, which would silently break resumption.
 * - `data` is split on every line ending (CRLF, CR, LF) into one `data:` line each, so the client
 *   rebuilds exactly the same string (it joins data lines with LF).
 */
export interface Frame {
  event?: string;
  id?: string;
  data?: string;
  /** Reconnection time hint in milliseconds. */
  retry?: number;
  comment?: string;
}

const LINE_BREAK = /\r\n|\r|\n/;

export class FrameError extends Error {
  override readonly name = 'FrameError';
}

export function encodeFrame(f: Frame): string {
  let out = '';
  if (f.comment !== undefined) {
    for (const line of f.comment.split(LINE_BREAK)) out += `:${line === '' ? '' : ' '}${line}\n`;
  }
  if (f.retry !== undefined) {
    if (!Number.isInteger(f.retry) || f.retry < 0) throw new FrameError('retry must be a non-negative integer');
    out += `retry: ${f.retry}\n`;
  }
  if (f.id !== undefined) {
    if (/[\r\n\0]/.test(f.id)) throw new FrameError('id may not contain CR, LF or NUL');
    out += `id: ${f.id}\n`;
  }
  if (f.event !== undefined) {
    if (/[\r\n]/.test(f.event)) throw new FrameError('event may not contain CR or LF');
    out += `event: ${f.event}\n`;
  }
  if (f.data !== undefined) {
    for (const line of f.data.split(LINE_BREAK)) out += `data: ${line}\n`;
  }
  return `${out}\n`;
}

/** Encodes once into the bytes written to every recipient. */
export function encodeFrameBytes(f: Frame): Buffer {
  return Buffer.from(encodeFrame(f), 'utf8');
}
