/**
 * The benchmark's push service, in its own process (so its CPU is measured apart from the
 * sender's): the tests' fake push service (HTTPS on 127.0.0.1, self-signed certificate, VAPID
 * verified with jose, bodies decrypted with http_ece), without per-request records, decrypting a
 * sample of the bodies to prove the encryption is right at full speed.
 */
import { FakePushService } from '../test/push/helpers/fake-push-service.js';
import { serveRpc } from './sse/rpc.js';

let fake: FakePushService | null = null;

serveRpc({
  async start(args: { subscriptions: number; decryptEvery: number; expectedVapidKey?: string }) {
    fake = await FakePushService.start({ decryptEvery: args.decryptEvery, record: false, expectedVapidKey: args.expectedVapidKey });
    const subs = Array.from({ length: args.subscriptions }, () => fake?.subscription());
    return { origin: fake.origin, certFile: fake.certFile, subscriptions: subs.map((s) => ({ endpoint: s?.endpoint, keys: s?.keys })) };
  },
  stats() {
    if (!fake) throw new Error('not started');
    const cpu = process.cpuUsage();
    return { counts: Object.fromEntries(fake.counts), decrypted: fake.decrypted, decryptFailures: fake.decryptFailures, connections: fake.connections, cpuS: (cpu.user + cpu.system) / 1e6 };
  },
  async stop() {
    await fake?.close();
    fake = null;
  },
});
