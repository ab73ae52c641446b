export { createHttpApp, ACCESS, IDEMPOTENT_CREATES, type HttpAppDeps } from './app.js';
export type { AppEnv } from './env.js';
export type { Access } from './auth.js';
export { registerConsoleRoutes } from './routes/console.js';
