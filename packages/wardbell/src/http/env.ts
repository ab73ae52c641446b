import type { HttpBindings } from '@hono/node-server';
import type { Credential, Identity } from '../auth/index.js';

/** Hono environment of every route: node:http bindings, the request id, and the caller's identity once known. */
export interface AppEnv {
  Bindings: HttpBindings;
  Variables: {
    identity: Identity;
    /** The bearer credential the identity came from (its issue time and end of validity), when it came from one. */
    credential: Credential;
    requestId: string;
    /** The request's JSON body as read by the body middleware (undefined when there was none). */
    jsonBody: unknown;
    /** The creating POST's `Idempotency-Key`, once the idempotency middleware has taken it. */
    idempotencyKey: string | undefined;
    /** When the identity came from a push's action token: the one notification it is good for. */
    actionTokenFor: string | undefined;
  };
}
