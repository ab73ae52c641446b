/**
 * A hospital (test/workflows/helpers.ts `hospital`) on a service that pushes to the fake push
 * service, on a FakeClock that starts at the real time (the fake push service checks the VAPID
 * token's `exp` against the real clock). Each named nurse has one device at the fake push service.
 *
 * On a FakeClock the push worker polls only when time moves: `pushRound` moves it by one poll and
 * then waits, in real time, for what the round sends.
 */
import { VAPID, hospital, type Hospital } from '../../workflows/helpers.js';
import { eventually } from '../../helpers/eventually.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { startService, type TestService } from '../../helpers/service.js';
import { FakePushService, type FakeSubscription, type Received } from './fake-push-service.js';
import { api, fakePushEnv, pushesSettled } from './push-service.js';

export interface PushHospital {
  fake: FakePushService;
  clock: FakeClock;
  s: TestService;
  h: Hospital;
  /** The device of each user given to `startPushHospital`. */
  devices: Record<string, FakeSubscription>;
  /** What arrived at a user's device (decrypted), optionally of one notification only. */
  at(userId: string, notificationId?: string): Received[];
  /** Moves the clock by one push poll, then waits (real time) until `pred` holds; retried a few polls. */
  pushRound(pred: () => boolean, what?: string): Promise<void>;
  /**
   * A positive barrier for "no other push comes": sends a marker notification (urgent) to
   * `users`, waits until it arrived at each of their devices and until every push delivery has
   * settled. Pushes queued before the marker are expanded before it (the outbox is read in
   * order), so whatever was due to a device has arrived by then.
   */
  pushBarrier(users: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export async function startPushHospital(users: readonly string[], env: Record<string, string> = {}): Promise<PushHospital> {
  const fake = await FakePushService.start();
  const clock = new FakeClock(Date.now());
  const s = await startService({ ...VAPID, ...fakePushEnv(fake), ...env }, { clock });
  const h = await hospital(s);
  const a = api(s.url);
  const devices: Record<string, FakeSubscription> = {};
  for (const u of users) {
    const d = fake.subscription();
    const r = await a.subscribe(h.tok(u), d);
    if (r.status !== 201) throw new Error(`subscribing ${u} failed: ${r.status} ${JSON.stringify(r.json)}`);
    devices[u] = d;
  }
  const at = (userId: string, notificationId?: string) => {
    const d = devices[userId];
    if (!d) throw new Error(`${userId} has no device`);
    return fake.for(d.id).filter((r) => notificationId === undefined || r.payload?.id === notificationId);
  };
  const pushRound = async (pred: () => boolean, what = 'pushes to arrive') => {
    for (let i = 0; ; i++) {
      await clock.advanceAsync(260);
      try {
        await eventually(() => pred(), { timeout: i < 4 ? 1500 : 5000, message: what });
        return;
      } catch (err) {
        if (i >= 4) throw err;
      }
    }
  };
  let markers = 0;
  const pushBarrier = async (to: readonly string[]) => {
    const title = `Push barrier ${++markers}`;
    const r = await a.call('POST', '/api/notifications', h.service, { title, body: '-', priority: 'urgent', to: { users: [...to] } });
    if (r.status !== 201) throw new Error(`barrier send failed: ${r.status} ${JSON.stringify(r.json)}`);
    const id = r.json.notification.id as string;
    await pushRound(() => to.every((u) => at(u, id).length === 1), `the push barrier "${title}" at ${to.join(', ')}`);
    await pushesSettled(s);
  };
  return {
    fake,
    clock,
    s,
    h,
    devices,
    at,
    pushRound,
    pushBarrier,
    async close() {
      await s.close();
      await fake.close();
    },
  };
}
