/**
 * The time-to-first histograms of receipts and emergency calls (first reached, first seen, first
 * accept, fill) by tenant: with WARDBELL_METRICS_TENANT_LABEL=true every series carries a `tenant`
 * label, one series set per hospital; without it (the default) none does and the hospitals add up.
 * One call in each of two hospitals, reached on a stream, displayed and accepted; on a FakeClock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { startService, type TestService } from '../helpers/service.js';
import { observations, scrape, type Scrape } from '../metrics/helpers.js';
import { hospital, postJson, VAPID } from '../workflows/helpers.js';

const FAMILIES = ['wardbell_notification_first_reached_seconds', 'wardbell_notification_first_seen_seconds', 'wardbell_emergency_first_accept_seconds', 'wardbell_emergency_fill_seconds'];

const services: TestService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
});

/** In each hospital one call to n1 (needed 1): on n1's stream, displayed, accepted 5 s and 10 s on. */
async function twoHospitals(env: Record<string, string>): Promise<Scrape> {
  const clock = new FakeClock(Date.now());
  const s = await startService({ ...VAPID, ...env }, { clock });
  services.push(s);
  for (const tenantId of ['h1', 'h2']) {
    const h = await hospital(s, tenantId);
    const n1 = await h.stream('n1');
    const c = await postJson(h.url('/api/emergency-calls'), { to: { users: ['n1'] }, title: 'ICU', needed: 1, escalateTo: null }, h.service);
    expect(c.status).toBe(201);
    const id = c.json.notificationId as string;
    await n1.until((x) => x.of('notification').some((e) => e.data.includes(id)));
    await clock.advanceAsync(200);
    await clock.advanceAsync(5000);
    expect((await postJson(h.url('/api/notifications/receipts'), { receipts: [{ id, kind: 'displayed' }] }, h.tok('n1'))).status).toBe(200);
    await clock.advanceAsync(5000);
    expect((await h.press('n1', id, 'accept')).status).toBe(200);
    await clock.advanceAsync(200);
    n1.close();
  }
  return eventually(async () => {
    const m = await scrape(`${s.url}/metrics`);
    return FAMILIES.every((f) => observations(m, f) === 2) ? m : null;
  }, { message: 'two observations in every family' });
}

const seriesOf = (m: Scrape, family: string) => [...(m.get(`${family}_count`) ?? []), ...(m.get(`${family}_sum`) ?? []), ...(m.get(`${family}_bucket`) ?? [])];

describe('the tenant label of the time-to-first histograms', () => {
  it('labels every series by tenant with WARDBELL_METRICS_TENANT_LABEL=true', async () => {
    const m = await twoHospitals({ WARDBELL_METRICS_TENANT_LABEL: 'true' });
    for (const f of FAMILIES) {
      for (const x of seriesOf(m, f)) expect(Object.keys(x.labels).filter((k) => k !== 'le'), f).toEqual(['tenant']);
      expect(new Set(seriesOf(m, f).map((x) => x.labels.tenant)), f).toEqual(new Set(['h1', 'h2']));
      expect([observations(m, f, { tenant: 'h1' }), observations(m, f, { tenant: 'h2' })], f).toEqual([1, 1]);
    }
    // The times are each hospital's own: the fill 10.2 s after the call, in both.
    for (const t of ['h1', 'h2']) {
      const sum = (m.get('wardbell_emergency_fill_seconds_sum') ?? []).find((x) => x.labels.tenant === t)!.value;
      expect(sum).toBeCloseTo(10.2, 1);
    }
  });

  it('carries no tenant label by default: both hospitals in one series', async () => {
    const m = await twoHospitals({});
    for (const f of FAMILIES) {
      const series = seriesOf(m, f);
      expect(series.length, f).toBeGreaterThan(0);
      for (const x of series) expect(Object.keys(x.labels).filter((k) => k !== 'le'), f).toEqual([]);
      expect((m.get(`${f}_count`) ?? []).map((x) => x.value), f).toEqual([2]);
    }
  });
});
