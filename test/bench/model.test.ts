import { describe, expect, it } from 'vitest';
import { broadcastCost, predictProcess, processAt, readShares, sizeDeployment, type DeploymentCosts, type Scenario } from '../../bench/model/predict.js';

const costs: DeploymentCosts = {
  process: { baseCpuPerSecond: 0.02, rssBaseMiB: 100, rssPerStreamKiB: 10, heapBaseMiB: 50, heapPerStreamKiB: 4, cpuPerOpen: 1e-3, cpuPerStreamPer30s: 30e-6, cpuPerPublish: 1e-3, cpuPerSkippedEntry: 100e-6, cpuPerFollowedEntry: 200e-6, cpuPerDelivery: 10e-6 },
  open: { processCpu: 2e-3, redisCpu: 100e-6, postgresCpu: 1e-3 },
  send: { processCpu: 2e-3, processCpuPerRecipient: 30e-6, redisCpu: 20e-6, redisCpuPerRecipient: 0.5e-6, postgresCpu: 1e-3, postgresCpuPerRow: 60e-6 },
  redis: { cpuPerEntryRead: 1e-6, cpuPerRenewal: 8e-6 },
};
const quiet: Scenario = { name: 'x', streams: 100_000, tenants: 1000, opensPerSecond: 0, sendsPerSecond: 0, recipientsPerSend: 1, routing: 'tenant-routed', shards: 16 };

describe('the capacity model', () => {
  it('adds up a process\'s CPU by part and its memory by stream', () => {
    const p = predictProcess(costs.process, { windowSeconds: 30, streams: 1024, opens: 10, publishes: 100, entriesRead: 1000, entriesDelivered: 400, deliveries: 2000 });
    expect(p.parts).toEqual({ base: 0.6, streams: 1024 * 30e-6, opens: 0.01, publishes: 0.1, skipped: 600 * 100e-6, followed: 400 * 200e-6, deliveries: 2000 * 10e-6 });
    expect(p.cpuSeconds).toBeCloseTo(0.6 + 0.03072 + 0.01 + 0.1 + 0.06 + 0.08 + 0.02, 9);
    expect(p.rssMiB).toBe(110);
    expect(p.heapMiB).toBe(54);
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

  it('sizes a deployment: more processes until each fits its budget, Redis and PostgreSQL by their work', () => {
    // Idle streams: memory decides. 100,000 x 10 KiB = 977 MiB, plus 100 MiB each.
    const z = sizeDeployment(costs, quiet, { processCore: 1, processMiB: 400, redisCore: 0.5 });
    expect([z.processes, z.processLimit]).toEqual([4, 'memory']);
    expect(z.processMiB).toBeLessThanOrEqual(400);
    expect(z.redisCpu).toBeCloseTo((8e-6 * 100_000) / 30, 9);
    expect(z.postgresCpu).toBe(0);
    // A shift change: opens and sends cost every part; at random each process reads every entry.
    const busy: Scenario = { ...quiet, opensPerSecond: 333, sendsPerSecond: 333 };
    const budget = { processCore: 0.5, processMiB: 10_000, redisCore: 0.5 };
    const routed = sizeDeployment(costs, busy, budget);
    const random = sizeDeployment(costs, { ...busy, routing: 'random' }, budget);
    expect(routed.processLimit).toBe('cpu');
    expect(processAt(costs, busy, routed.processes).cpu).toBeLessThanOrEqual(0.5);
    expect(processAt(costs, busy, routed.processes - 1).cpu).toBeGreaterThan(0.5);
    expect(random.processes).toBeGreaterThanOrEqual(routed.processes);
    expect(processAt(costs, { ...busy, routing: 'random' }, random.processes).entriesRead).toBeGreaterThan(300);
    expect(random.redisCpu).toBeGreaterThan(routed.redisCpu);
    expect(routed.postgresCpu).toBeCloseTo(333 * 1e-3 + 333 * (1e-3 + 60e-6), 9);
  });

  it('puts a whole hospital\'s broadcast on one process when routed by tenant', () => {
    const routed = broadcastCost(costs, 20_000, 10, 'tenant-routed');
    const random = broadcastCost(costs, 20_000, 10, 'random');
    expect(routed.fanOutSeconds).toBeCloseTo(200e-6 + 20_000 * 10e-6, 9);
    expect(random.fanOutSeconds).toBeCloseTo(200e-6 + 2_000 * 10e-6, 9);
    expect(routed.postgresSeconds).toBeCloseTo(1e-3 + 20_000 * 60e-6, 9);
  });
});
