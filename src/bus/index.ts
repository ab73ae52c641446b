export type { Bus } from './bus.js';
export { createInProcessBus } from './in-process-bus.js';
// The Redis bus (`redis-bus.ts`) is deliberately not exported: it only reads the bus stream that the
// Redis event log's append writes, so it is built together with that log by `createRedisBackbone`
// (`src/backbone/`), the one place that imports it.
