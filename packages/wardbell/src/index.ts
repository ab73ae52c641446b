/** The `wardbell` package: build and run the service from code. */
export { createWardbell, type Wardbell, type WardbellOptions } from './compose.js';
export { loadConfig, configSchema, ConfigError, type Config } from './config/index.js';
export type { Identity } from './auth/index.js';
export { DOMAIN_EVENT_TYPES, type DomainEventType, type SSEEventType, type Audience, type StoredEvent } from './events/index.js';
export { AppError, type ErrorCode, type ErrorEnvelope } from './shared/index.js';
