export { createHttpApp, type HttpAppDeps } from './app.js';
export type { AppEnv } from './env.js';
export { requireIdentity, requirePublisher } from './auth.js';
export { jsonBody, commonErrors, bearerSecurity, errorResponse, ErrorEnvelopeSchema } from './schemas.js';
