import type { AccessEndedReason } from './types.js';

// Pure helpers of the client: reading an event's data, and reporting a listener's error.

/** A listener that throws must not break the stream: report it the way EventTarget does. */
function reportListenerError(error: unknown): void {
  const report = (globalThis as { reportError?: (e: unknown) => void }).reportError;
  if (typeof report === 'function') report(error);
  else
    queueMicrotask(() => {
      throw error;
    });
}

const ACCESS_ENDED_REASONS: readonly string[] = ['token_expired', 'sessions_revoked', 'removed_from_directory'];

/** The reason of an `access-ended` event; an unknown one reads as an expired token. */
export function accessEndedReason(data: unknown): AccessEndedReason {
  const r = data !== null && typeof data === 'object' ? (data as { reason?: unknown }).reason : undefined;
  return typeof r === 'string' && ACCESS_ENDED_REASONS.includes(r) ? (r as AccessEndedReason) : 'token_expired';
}

/** An event's data: JSON when it parses, else the raw string. */
export function parseData(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** Calls a listener; one that throws is reported, and the others still run. */
export function callListener(fn: (...args: never[]) => void, ...args: unknown[]): void {
  try {
    (fn as (...a: unknown[]) => void)(...args);
  } catch (error) {
    reportListenerError(error);
  }
}
