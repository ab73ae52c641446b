/**
 * A byte scanner for one benchmark SSE stream: HTTP/1.1 response head, then a body in chunked
 * transfer coding (RFC 9112 section 7.1; the bare floor) or delimited by the connection closing
 * (no Content-Length, no Transfer-Encoding: RFC 9112 section 6.3; the raw floor, and wardbell
 * since its streams are written straight to the socket), told apart by the head; and just enough
 * of the SSE event stream format (WHATWG HTML, "Server-sent events") to count benchmark events.
 * It is a state machine over bytes that survives any split of the input (TCP segments, chunk
 * boundaries), allocates nothing per event and decodes no strings: at 100,000 deliveries a second
 * the load generator must stay far cheaper than the server.
 *
 * A benchmark event is a block whose data line is exactly `data: {"seq":<int>,"t":<number>...`
 * (the publisher's JSON.stringify of `{ seq, t }`). Everything else (comments, `retry:`, id-only
 * blocks, `event: ping` heartbeats whose data is `{"t":...}`) is skipped; `blocks` counts every
 * block that ended (a blank line), so a caller can tell when the connect preamble has arrived.
 */

const DATA_PREFIX = Buffer.from('data: {"seq":', 'latin1');
const ID_PREFIX = Buffer.from('id: ', 'latin1');
const T_PREFIX = Buffer.from(',"t":', 'latin1');
const LF = 10;
const CR = 13;

// Chunked-coding states.
const C_SIZE = 0;
const C_EXT = 1;
const C_DATA = 2;
const C_DATA_END = 3;
const C_DONE = 4;

// SSE line states.
const L_START = 0; // matching DATA_PREFIX at `li`
const L_SKIP = 1; // rest of an uninteresting line
const L_SEQ = 2; // seq digits
const L_TPRE = 3; // matching T_PREFIX at `li`
const L_T = 4; // timestamp digits, optional fraction
const L_ID = 5; // rest of an `id:` line: the number after its last '-'

const hexValue = (x: number): number => {
  if (x >= 48 && x <= 57) return x - 48;
  if (x >= 97 && x <= 102) return x - 87;
  if (x >= 65 && x <= 70) return x - 55;
  return -1;
};

export abstract class SseScanner {
  /** Response head parsed. */
  headDone = false;
  /** HTTP status of the response (0 until the head is parsed). */
  status = 0;
  /** The body ended (chunked: the last chunk seen; close-delimited: `eof()` after the head). */
  ended = false;
  /** SSE blocks ended so far (blank lines). */
  blocks = 0;
  /**
   * The number after the last '-' of the latest `id:` line (every server's ids end in an offset),
   * -1 before any: lets a caller check that ids only grow, as Last-Event-ID resumption needs.
   */
  lastIdNumber = -1;
  private head = '';
  private chunked = false;
  private cs = C_SIZE;
  private size = 0;
  private rem = 0;
  private ls = L_START;
  private li = 0;
  private seq = 0;
  private tv = 0;
  private ts = 0;
  private idAcc = 0;
  private onId = false;

  /** One benchmark event: its sequence number and publish timestamp (ms since the epoch). */
  protected abstract onEvent(seq: number, t: number): void;
  /** The response head is complete (status parsed). */
  protected abstract onHead(status: number): void;

  /** Feeds bytes `b[start, end)`. */
  feed(b: Buffer, start: number, end: number): void {
    let i = start;
    if (!this.headDone) {
      const prev = this.head.length;
      this.head += b.toString('latin1', start, end);
      const at = this.head.indexOf('\r\n\r\n');
      if (at < 0) {
        if (this.head.length > 16_384) {
          this.headDone = true;
          this.onHead(-1);
        }
        return;
      }
      i = start + (at + 4 - prev);
      const head = this.head.slice(0, at).toLowerCase();
      this.head = '';
      this.headDone = true;
      this.status = Number(/^http\/1\.[01] (\d{3})/.exec(head)?.[1] ?? -1);
      this.chunked = /\r\ntransfer-encoding:[^\r]*chunked/.test(head);
      this.onHead(this.status);
    }
    if (!this.chunked) {
      this.sse(b, i, end);
      return;
    }
    while (i < end) {
      switch (this.cs) {
        case C_SIZE: {
          const x = b[i++] as number;
          const v = hexValue(x);
          if (v >= 0) this.size = this.size * 16 + v;
          else if (x === LF) this.endSizeLine();
          else if (x !== CR) this.cs = C_EXT; // chunk extension (or whitespace): skip to LF
          break;
        }
        case C_EXT: {
          const nl = b.indexOf(LF, i);
          if (nl < 0 || nl >= end) i = end;
          else {
            i = nl + 1;
            this.endSizeLine();
          }
          break;
        }
        case C_DATA: {
          const n = Math.min(this.rem, end - i);
          this.sse(b, i, i + n);
          i += n;
          this.rem -= n;
          if (this.rem === 0) this.cs = C_DATA_END;
          break;
        }
        case C_DATA_END: {
          // The CRLF after the chunk data.
          if (b[i++] === LF) {
            this.cs = C_SIZE;
            this.size = 0;
          }
          break;
        }
        default:
          i = end; // after the last chunk: trailers, ignored
      }
    }
  }

  /**
   * The connection closed. A close-delimited body ends here, complete; a chunked body that has not
   * seen its last chunk was cut short (`ended` stays false).
   */
  eof(): void {
    if (this.headDone && !this.chunked) this.ended = true;
  }

  /** Whether the body is in chunked transfer coding (known once the head is parsed). */
  get isChunked(): boolean {
    return this.chunked;
  }

  private endSizeLine(): void {
    if (this.size === 0) {
      this.cs = C_DONE;
      this.ended = true;
    } else {
      this.rem = this.size;
      this.cs = C_DATA;
    }
  }

  private sse(b: Buffer, start: number, end: number): void {
    let i = start;
    while (i < end) {
      switch (this.ls) {
        case L_START: {
          const x = b[i] as number;
          if (x === LF) {
            if (this.li === 0) this.blocks++;
            this.li = 0;
            i++;
            break;
          }
          // The first byte picks the prefix this line can be on ('d'ata or 'i'd).
          if (this.li === 0) this.onId = x === 105;
          const prefix = this.onId ? ID_PREFIX : DATA_PREFIX;
          if (x !== prefix[this.li]) {
            this.ls = L_SKIP;
            break;
          }
          i++;
          if (++this.li === prefix.length) {
            if (this.onId) {
              this.ls = L_ID;
              this.idAcc = 0;
            } else {
              this.ls = L_SEQ;
              this.seq = 0;
            }
          }
          break;
        }
        case L_ID: {
          const x = b[i++] as number;
          if (x >= 48 && x <= 57) this.idAcc = this.idAcc * 10 + (x - 48);
          else if (x === LF) {
            this.lastIdNumber = this.idAcc;
            this.ls = L_START;
            this.li = 0;
          } else this.idAcc = 0;
          break;
        }
        case L_SKIP: {
          const nl = b.indexOf(LF, i);
          if (nl < 0 || nl >= end) i = end;
          else {
            i = nl + 1;
            this.ls = L_START;
            this.li = 0;
          }
          break;
        }
        case L_SEQ: {
          const x = b[i] as number;
          if (x >= 48 && x <= 57) {
            this.seq = this.seq * 10 + (x - 48);
            i++;
          } else {
            this.ls = L_TPRE;
            this.li = 0;
          }
          break;
        }
        case L_TPRE: {
          if (b[i] === T_PREFIX[this.li]) {
            i++;
            if (++this.li === T_PREFIX.length) {
              this.ls = L_T;
              this.tv = 0;
              this.ts = 0;
            }
          } else {
            this.ls = L_SKIP;
          }
          break;
        }
        default: {
          // L_T: digits, at most one '.', anything else ends the number.
          const x = b[i] as number;
          if (x >= 48 && x <= 57) {
            this.tv = this.tv * 10 + (x - 48);
            if (this.ts !== 0) this.ts *= 10;
            i++;
          } else if (x === 46 && this.ts === 0) {
            this.ts = 1;
            i++;
          } else {
            this.onEvent(this.seq, this.ts === 0 ? this.tv : this.tv / this.ts);
            this.ls = L_SKIP;
          }
        }
      }
    }
  }
}
