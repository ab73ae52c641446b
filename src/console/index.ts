import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/index.js';

export interface ConsoleOptions {
  /** Directory holding the built console (index.html and assets). */
  root: string;
}

/** Serves the realtime console at /api-test/realtime (seed section 6). */
export function registerConsole(_app: OpenAPIHono<AppEnv>, _opts: ConsoleOptions): void {}
