export { createHttpApp, type HttpAppDeps } from './app.js';
export type { AppEnv } from './env.js';
