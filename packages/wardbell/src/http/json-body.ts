/**
 * Request bodies are JSON read strictly: UTF-8 with no invalid byte, and within structural limits
 * checked before the data reaches a schema (or `JSON.parse` recursion reaches its stack limit).
 * Pure functions; the middleware that applies them is in app.ts.
 */

export interface JsonLimits {
  /** Deepest nesting of arrays and objects. */
  maxDepth: number;
  /** Most elements of one array. */
  maxArrayLength: number;
  /** Longest string (values and keys), in UTF-16 code units. */
  maxStringLength: number;
  /** Most keys of one object. */
  maxKeys: number;
}

/**
 * The limits every JSON body is read under. Each is above what any route's schema accepts (the
 * largest array is a push backup's 100,000 subscriptions; the deepest body a few levels), so they
 * refuse only what no schema would take, and before any schema walks it.
 */
export const JSON_LIMITS: JsonLimits = { maxDepth: 32, maxArrayLength: 100_000, maxStringLength: 65_536, maxKeys: 1_000 };

export type JsonRead =
  | { ok: true; value: unknown }
  | { ok: false; code: 'invalid_json'; message: string }
  | { ok: false; code: 'validation_failed'; message: string; details: { limit: keyof JsonLimits; max: number; path: string } };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The body as text, or null when it holds a byte sequence that is not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** How deep arrays and objects nest, counted on the text (brackets inside strings do not count). */
function nestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > max) return true;
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return false;
}

const tooLarge = (limit: keyof JsonLimits, max: number, path: string, what: string): JsonRead => ({
  ok: false,
  code: 'validation_failed',
  message: `Request body ${what} at ${path} (at most ${max}).`,
  details: { limit, max, path },
});

/** The first place where a parsed value passes a limit (depth was checked on the text). */
function walk(v: unknown, limits: JsonLimits, path: string): JsonRead | null {
  if (typeof v === 'string') return v.length > limits.maxStringLength ? tooLarge('maxStringLength', limits.maxStringLength, path, 'has a string too long') : null;
  if (Array.isArray(v)) {
    if (v.length > limits.maxArrayLength) return tooLarge('maxArrayLength', limits.maxArrayLength, path, 'has an array too long');
    for (let i = 0; i < v.length; i++) {
      const bad = walk(v[i], limits, `${path}[${i}]`);
      if (bad) return bad;
    }
    return null;
  }
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length > limits.maxKeys) return tooLarge('maxKeys', limits.maxKeys, path, 'has an object with too many keys');
    for (const k of keys) {
      if (k.length > limits.maxStringLength) return tooLarge('maxStringLength', limits.maxStringLength, path, 'has a key too long');
      const bad = walk((v as Record<string, unknown>)[k], limits, `${path}.${k.length > 40 ? `${k.slice(0, 40)}...` : k}`);
      if (bad) return bad;
    }
  }
  return null;
}

/** Parses a JSON text under the limits: the value, or why it was refused. */
export function readJson(text: string, limits: JsonLimits = JSON_LIMITS): JsonRead {
  if (nestingExceeds(text, limits.maxDepth)) {
    return { ok: false, code: 'validation_failed', message: `Request body nests deeper than ${limits.maxDepth} levels.`, details: { limit: 'maxDepth', max: limits.maxDepth, path: '$' } };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'invalid_json', message: 'Request body is not valid JSON.' };
  }
  return walk(value, limits, '$') ?? { ok: true, value };
}
