import type { Clock } from '../shared/index.js';
import { addTo, removeFrom, type Connection } from './connection.js';
import { encodeFrameBytes } from './encoder.js';

/** Why a stream was ended by the server, as its `access-ended` event says. */
export type StreamEndReason = 'token_expired' | 'sessions_revoked' | 'removed_from_directory';

/** The last frame of a stream whose access ended: the client gets a fresh token and resumes. */
export function accessEndedFrame(reason: StreamEndReason): Buffer {
  return encodeFrameBytes({ event: 'access-ended', data: JSON.stringify({ reason }) });
}

/** Writes a stream's last frame and ends it; what was corked for it goes out first. */
export function endWith(c: Connection, frame: Buffer): void {
  c.corked = false;
  if (!c.transport.destroyed) c.transport.end(frame);
}

/**
 * When streams must end because the credential that opened them stops being accepted. Streams are
 * kept in buckets by the second their credential ends, and one timer a second ends the due ones:
 * no timer per stream, and a stream ends at most about a second after its token does.
 */
export class StreamExpiry {
  private readonly buckets = new Map<number, Set<Connection>>();
  private timer: unknown = null;

  constructor(
    private readonly clock: Clock,
    private readonly end: (c: Connection, reason: StreamEndReason) => void,
  ) {}

  track(c: Connection): void {
    if (c.validUntil <= 0) return;
    addTo(this.buckets, Math.floor(c.validUntil / 1000), c);
    if (this.timer === null) {
      this.timer = this.clock.setInterval(() => this.sweep(), 1000);
      (this.timer as { unref?: () => unknown }).unref?.();
    }
  }

  untrack(c: Connection): void {
    if (c.validUntil > 0) removeFrom(this.buckets, Math.floor(c.validUntil / 1000), c);
  }

  /** Ends every stream whose credential is no longer accepted. */
  sweep(): void {
    const now = this.clock.now();
    const due = Math.floor(now / 1000);
    for (const [second, set] of this.buckets) {
      if (second > due) continue;
      for (const c of [...set]) if (c.validUntil <= now) this.end(c, 'token_expired');
    }
    if (this.buckets.size === 0) this.stop();
  }

  stop(): void {
    if (this.timer !== null) this.clock.clearInterval(this.timer);
    this.timer = null;
  }
}
