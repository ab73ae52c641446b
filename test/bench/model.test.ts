import { describe, expect, it } from 'vitest';
import { perProcessLoad, predictProcess, readShares, sizeDeployment, type Scenario, type UnitCosts } from '../../bench/model/predict.js';

const costs: UnitCosts = {
  process: { baseCpuPerSecond: 0.02, rssBaseMiB: 100, rssPerStreamKiB: 10, cpuPerOpen: 1e-3, cpuPerStreamPer30s: 30e-6, cpuPerPublish: 1e-3, cpuPerSkippedEntry: 100e-6, cpuPerFollowedEntry: 200e-6, cpuPerDelivery: 10e-6 },
  redis: { cpuPerOpen: 100e-6, cpuPerPublish: 100e-6, cpuPerEntryRead: 50e-6, cpuPerStreamPer30s: 10e-6 },
  postgres: { cpuPerFirstConnect: 500e-6, cpuPerInboxRow: 20e-6 },
};

describe('the capacity model', () => {
  it('adds up a process\'s CPU by part and its memory by stream', () => {
    const p = predictProcess(costs.process, { windowSeconds: 30, streams: 1024, opens: 10, publishes: 100, entriesRead: 1000, entriesDelivered: 400, deliveries: 2000 });
    expect(p.parts).toEqual({ base: 0.6, streams: 1024 * 30e-6, opens: 0.01, publishes: 0.1, skipped: 600 * 100e-6, followed: 400 * 200e-6, deliveries: 2000 * 10e-6 });
    expect(p.cpuSeconds).toBeCloseTo(0.6 + 0.03072 + 0.01 + 0.1 + 0.06 + 0.08 + 0.02, 9);
    expect(p.rssMiB).toBe(110);
  });

  it('has a process read only its shards under tenant routing, and nearly every shard at random', () => {
    const s = { streams: 100_000, tenants: 1000, shards: 16 };
    expect(readShares({ ...s, routing: 'tenant-routed' }, 4)).toEqual({ read: 0.25, followed: 0.25 });
    const byTenant = readShares({ ...s, routing: 'tenant-routed' }, 40); // more processes than shards
    expect(byTenant.followed).toBeCloseTo(1 / 40, 9);
    expect(byTenant.read).toBeCloseTo(1 - (15 / 16) ** 25, 9);
    const random = readShares({ ...s, routing: 'random' }, 4);
    expect(random.followed).toBeCloseTo(1 - 0.75 ** 100, 9);
    expect(random.read).toBeCloseTo(1, 6);
  });

  it('sizes a deployment: more processes until each fits its budget, Redis by its cores', () => {
    const s: Scenario = { name: 'x', streams: 100_000, tenants: 1000, opensPerSecond: 0, eventsPerSecond: 0, streamsPerEvent: 0, inboxRowsPerSecond: 1000, routing: 'tenant-routed', shards: 16 };
    // Idle streams: memory decides. 100,000 x 10 KiB = 977 MiB, plus 100 MiB each.
    const z = sizeDeployment(costs, s, { processCore: 1, processMiB: 400, redisCore: 0.5 });
    expect(z.processes).toBe(4);
    expect(z.processLimit).toBe('memory');
    expect(z.processMiB).toBeLessThanOrEqual(400);
    expect(z.postgresCpu).toBeCloseTo(0.02, 9);
    // Publishing: every process pays per entry it reads; at random each reads all of them.
    const busy = { ...s, eventsPerSecond: 2000, streamsPerEvent: 1 };
    const routed = sizeDeployment(costs, busy, { processCore: 0.5, processMiB: 10_000, redisCore: 0.5 });
    const random = sizeDeployment(costs, { ...busy, routing: 'random' }, { processCore: 0.5, processMiB: 10_000, redisCore: 0.5 });
    expect(routed.processLimit).toBe('cpu');
    expect(random.processes).toBeGreaterThan(routed.processes);
    expect(perProcessLoad({ ...busy, routing: 'random' }, random.processes).entriesRead).toBeGreaterThan(1900);
    expect(random.redisCpu).toBeGreaterThan(routed.redisCpu);
  });
});
