export { createHttpApp, ACCESS, IDEMPOTENT_CREATES, type HttpAppDeps } from './app.js';
export { createMetricsApp, type MetricsAppDeps } from './metrics-app.js';
export type { MetricsEndpoint } from './routes/ops.js';
export type { AppEnv } from './env.js';
export type { Access } from './auth.js';
export { registerConsoleRoutes } from './routes/console.js';
export { rateLimitsFrom, rateLimitMetrics, RATE_LIMITED, type RateLimits } from './rate-limit.js';
export { memoryRateLimitStore, redisRateLimitStore, type RateLimitStore } from './rate-limit-store.js';
