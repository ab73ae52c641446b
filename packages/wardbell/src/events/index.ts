export * from './types.js';
export { formatEventId, parseEventId, newEpoch, type EventPosition } from './ids.js';
export { checkPosition, checkContinuity, type GapReason, type ReadSince, type StreamHead } from './replay.js';
export type { EventLog, Retention } from './log.js';
export { createMemoryEventLog } from './memory-log.js';
export { createSqlEventLog } from './sql-log.js';
export type { Publisher } from './publisher.js';
// The Redis log lives in `src/backbone/redis-log.ts`: its append also writes the Redis bus stream,
// so it exists only as half of the Redis backbone, with the Redis bus.
