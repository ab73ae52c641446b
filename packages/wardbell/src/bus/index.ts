export type { Bus, BusHandler } from './bus.js';
export { createInProcessBus } from './in-process-bus.js';
// The Redis bus lives in `src/backbone/redis-bus.ts`: it only reads the bus stream that the Redis
// event log's append writes, so it exists only as half of the Redis backbone, with that log.
