/**
 * The HTTP side of the client, kept pure: what to do with a response, and how to encode the
 * `Last-Event-ID` request header.
 */
import type { SSEErrorCode } from './errors.js';

/** What the client does with a response (see `classifyResponse`). */
export type ResponseVerdict =
  | { kind: 'open' }
  | { kind: 'stop' }
  | { kind: 'fail'; code: Extract<SSEErrorCode, 'http_status' | 'bad_content_type'>; message: string }
  | { kind: 'retry'; code: 'http_status'; message: string; retryAfterMs: number | null };

const EVENT_STREAM = 'text/event-stream';

/**
 * The essence (type/subtype, lower-cased) of a Content-Type value, or `null` when there is none.
 * A subset of the WHATWG MIME Sniffing "parse a MIME type": parameters such as
 * `;charset=windows-1252` are ignored (event streams are always UTF-8, HTML §9.2.5), and a trailing
 * `;` is allowed.
 */
export function mimeEssence(contentType: string | null): string | null {
  if (contentType === null) return null;
  const essence = (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
  return /^[^\s/]+\/[^\s/]+$/.test(essence) ? essence : null;
}

/**
 * `Retry-After` (RFC 9110 Section 10.2.3) as a delay in ms; `null` when absent or unreadable.
 * Delay-seconds always; the HTTP-date form only when `now` is given, since it needs a trusted clock
 * (the push worker's; a browser's clock may be anything, and our server sends seconds).
 */
export function parseRetryAfter(value: string | null | undefined, now?: number): number | null {
  if (value === null || value === undefined) return null;
  const v = value.trim();
  if (/^\d{1,10}$/.test(v)) return Number(v) * 1000;
  if (now === undefined) return null;
  const at = Date.parse(v);
  if (Number.isNaN(at) || !/[a-z]/i.test(v)) return null;
  return Math.max(0, at - now);
}

/**
 * Decides what a response means. WHATWG EventSource (HTML §9.2.2, the constructor's processResponse
 * steps) announces the connection on 200 + `text/event-stream` and fails it for any other status or
 * type; only network errors reestablish it. This client keeps that for "wrong server, wrong URL,
 * not allowed" and deviates for transient server trouble, where a long-lived app wants to come back:
 * - 200 and essence `text/event-stream` → open.
 * - 204 → stop for good, without an error (the server's way to say "do not come back").
 * - 408, 429, 5xx → retry with backoff; `Retry-After` (seconds) on 429/503 is a floor.
 * - anything else (other 2xx, 200 with another type, 1xx/3xx, 401, 403, 404, other 4xx) → fail.
 */
export function classifyResponse(
  status: number,
  contentType: string | null,
  retryAfter: string | null = null,
): ResponseVerdict {
  if (status === 200) {
    const essence = mimeEssence(contentType);
    if (essence === EVENT_STREAM) return { kind: 'open' };
    return {
      kind: 'fail',
      code: 'bad_content_type',
      message: `Expected Content-Type text/event-stream, got ${contentType ?? 'none'}: is the URL the SSE endpoint?`,
    };
  }
  if (status === 204) return { kind: 'stop' };
  if (status === 408 || status === 429 || (status >= 500 && status <= 599)) {
    return {
      kind: 'retry',
      code: 'http_status',
      message: `Server answered ${status}; reconnecting with backoff`,
      retryAfterMs: status === 429 || status === 503 ? parseRetryAfter(retryAfter) : null,
    };
  }
  const hint =
    status === 401
      ? ' (check the token returned by getToken)'
      : status === 403
        ? ' (this identity may not open the stream)'
        : status === 404
          ? ' (check the url)'
          : '';
  return { kind: 'fail', code: 'http_status', message: `Server answered ${status}; not reconnecting${hint}` };
}

/**
 * The `Last-Event-ID` value as fetch needs it. HTML §9.2.3 sets the header to the last event ID
 * string "encoded as UTF-8", but fetch header values are ByteStrings (each char one byte, <= 0xFF):
 * a non-ASCII id passed as is makes fetch throw. So the UTF-8 bytes are spelt as Latin-1 chars,
 * and the wire carries exactly the UTF-8 bytes (the server reads them as latin1 and re-decodes).
 */
export function encodeHeaderValueUtf8(value: string): string {
  // Fast path: ASCII only, which is what our server's ids are.
  if (/^[\x00-\x7f]*$/.test(value)) return value;
  let out = '';
  for (const byte of new TextEncoder().encode(value)) out += String.fromCharCode(byte);
  return out;
}
