export { encodeFrame, encodeFrameBytes, FrameError, type Frame } from './encoder.js';
export { SseHub } from './hub.js';
export { Connection, type SseTransport, type HubOptions, type HubStats, type ConnectRequest, type ReplayOutcome } from './connection.js';
export { EventManager, type PublishStats } from './event-manager.js';
export { OrderedFeed, type FeedSink } from './feed.js';
export { createLocalStreamQuota, createRedisStreamQuota, type StreamQuota, type RedisStreamQuotaOptions } from './quota.js';
export { SessionEnds, REVOCATION_POLL_MS } from './sessions.js';
export { accessEndedFrame, type StreamEndReason } from './access.js';
