import { createHash } from 'node:crypto';

/** JSON with every object's keys sorted: two bodies that differ only in key order or spacing are equal. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** What makes two requests "the same request": route, caller and body. */
export interface RequestShape {
  method: string;
  path: string;
  /** The caller's user id: one caller's key never answers another caller's request. */
  caller: string;
  /** The parsed JSON body, or undefined when there was none. */
  body: unknown;
}

/**
 * The fingerprint of a request (SHA-256, base64url): the same key with the same fingerprint is a
 * retry; with another, a reuse. The body's own `idempotencyKey` field (the alias of the header)
 * is left out, so a retry may carry the key either way.
 */
export function fingerprint(shape: RequestShape): string {
  let body = shape.body;
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'idempotencyKey' in body) {
    const { idempotencyKey: _k, ...rest } = body as Record<string, unknown>;
    body = rest;
  }
  const text = canonicalJson([shape.method.toUpperCase(), shape.path, shape.caller, body ?? null]);
  return createHash('sha256').update(text).digest('base64url');
}
