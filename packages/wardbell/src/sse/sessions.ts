import type { Revocation, SessionRevocations } from '../auth/index.js';
import type { Clock } from '../shared/index.js';
import type { SseHub } from './hub.js';

/** How often every process looks for revocations written by any process. */
export const REVOCATION_POLL_MS = 1000;

/**
 * Ends access when a user's sessions are revoked or the user leaves the directory: the revocation
 * is recorded (tokens issued before it are refused from then on, by `SessionRevocations`), this
 * process's streams of the user end at once, and every other process ends its own when its next
 * poll, within a second, finds the row.
 */
export class SessionEnds {
  private timer: unknown = null;

  constructor(
    private readonly o: { revocations: SessionRevocations; hub: SseHub; clock: Clock; onError: (err: unknown) => void },
  ) {}

  /** Loads the revocations recorded so far, then polls for new ones. */
  async start(): Promise<void> {
    await this.o.revocations.poll();
    this.timer = this.o.clock.setInterval(() => {
      this.o.revocations.poll().then((fresh) => this.endStreams(fresh), this.o.onError);
    }, REVOCATION_POLL_MS);
    (this.timer as { unref?: () => unknown }).unref?.();
  }

  async revoke(tenantId: string, userIds: readonly string[], reason: Revocation['reason']): Promise<Revocation[]> {
    const done = await this.o.revocations.revoke(tenantId, userIds, reason);
    this.endStreams(done);
    return done;
  }

  stop(): void {
    if (this.timer !== null) this.o.clock.clearInterval(this.timer);
    this.timer = null;
  }

  private endStreams(revocations: readonly Revocation[]): void {
    for (const r of revocations) this.o.hub.endUserStreams(r.tenantId, r.userId, r.reason, r.revokedBefore);
  }
}
