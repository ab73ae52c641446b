export * from './types.js';
export { formatEventId, parseEventId, newEpoch, type EventPosition } from './ids.js';
export { checkPosition, checkContinuity, type GapReason, type ReadSince, type StreamHead } from './replay.js';
export type { EventLog, Retention } from './log.js';
export { createMemoryEventLog } from './memory-log.js';
export { createSqlEventLog } from './sql-log.js';
export { createRedisEventLog, parseEntry, redisKeys, type RedisLogOptions } from './redis-log.js';
