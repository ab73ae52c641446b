/**
 * Types of the API client derived from the generated `paths` (schema.ts): for a path and a method,
 * its path parameters, query, JSON body and success answer. Nothing here is written by hand per
 * route, so the client's types follow the server's description.
 */
import type { paths } from './schema.js';

export type ApiPath = keyof paths;
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The operation at a path and method (never when the path has no such method). */
export type Operation<P extends ApiPath, M extends HttpMethod> = paths[P] extends { [K in M]?: infer O } ? Exclude<O, undefined | never> : never;

type Parameters<O, K extends 'path' | 'query'> = O extends { parameters: { [X in K]?: infer Q } } ? Exclude<Q, undefined> : never;
export type PathParams<O> = Parameters<O, 'path'>;
export type QueryParams<O> = Parameters<O, 'query'>;
export type JsonBody<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

type SuccessStatus = 200 | 201 | 202 | 204;
/** The JSON of the operation's 2xx answers (undefined for one without a body). */
export type SuccessBody<O> = O extends { responses: infer R }
  ? { [S in keyof R & SuccessStatus]: R[S] extends { content: { 'application/json': infer J } } ? J : undefined }[keyof R & SuccessStatus]
  : never;

/** The schemas the API description names (`components.schemas`), e.g. `Schema<'Notification'>`. */
export type Schema<N extends keyof import('./schema.js').components['schemas']> = import('./schema.js').components['schemas'][N];

/** What one call sends besides its body: path parameters, query, and per-call options. */
export interface CallOptions {
  /** The `Idempotency-Key` to send (a create generates one when not given, and keeps it across retries). */
  idempotencyKey?: string;
  /** Aborts the call (with every retry). */
  signal?: AbortSignal;
  /** Overrides the client's per-attempt timeout, ms. */
  timeoutMs?: number;
}

export interface RequestSpec {
  path?: Record<string, string | number>;
  query?: Record<string, unknown>;
  body?: unknown;
}
