export { encodeFrame, encodeFrameBytes, FrameError, type Frame } from './encoder.js';
export { SseHub, Connection, type SseTransport, type HubOptions, type HubStats, type ConnectRequest, type ReplayOutcome } from './hub.js';
export { EventManager, type PublishStats } from './event-manager.js';
export { OrderedFeed } from './feed.js';
export { createLocalStreamQuota, createRedisStreamQuota, type StreamQuota, type RedisStreamQuotaOptions } from './quota.js';
