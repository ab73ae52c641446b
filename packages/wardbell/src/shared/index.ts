export { AppError, envelope, type ErrorCode, type ErrorEnvelope } from './errors.js';
export { systemClock, type Clock } from './clock.js';
export { httpsOrLoopback } from './loopback.js';
