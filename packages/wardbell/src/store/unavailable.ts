/**
 * Whether an error says the database cannot be reached or cannot take the work right now (a
 * restart, a dropped or refused connection, a full pool, a locked SQLite file), as opposed to a bug
 * or a query the database refused. The HTTP layer answers the first kind with 503 and `Retry-After`:
 * the same request may well succeed shortly. Socket errors are not told apart by peer: inside a
 * request the peers are the database and Redis, and either being unreachable is the same 503.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  return check(err, 0);
}

/** Socket and name errors of Node.js while connecting to, or talking with, the database. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN']);

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception) is matched by its prefix; besides it
 * 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting or shutting
 * down), 53300 too_many_connections.
 */
const PG_STATES = new Set(['57P01', '57P02', '57P03', '53300']);

/**
 * What node-postgres throws without a code: the server ended the connection, the client is
 * unusable after that, or the pool's connection timeout passed.
 */
const PG_MESSAGES = [
  /^Connection terminated( unexpectedly| due to connection timeout)?$/,
  /^timeout exceeded when trying to connect$/, // pg-pool's connectionTimeoutMillis
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
  /^Cannot use a pool after calling end on the pool$/,
];

function check(err: unknown, depth: number): boolean {
  if (depth > 4 || typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (code) {
    if (SOCKET_CODES.has(code)) return true;
    // better-sqlite3: another connection holds the write lock past busy_timeout (SQLITE_BUSY and its
    // extended codes SQLITE_BUSY_RECOVERY, _SNAPSHOT, _TIMEOUT).
    if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_')) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && (code.startsWith('08') || PG_STATES.has(code))) return true;
  }
  if (err instanceof Error && typeof e.message === 'string' && PG_MESSAGES.some((m) => m.test(e.message as string))) return true;
  // Wrapped errors: a `cause`, or an AggregateError (a connect that tried several addresses).
  if (e.cause !== undefined && check(e.cause, depth + 1)) return true;
  if (Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every((x) => check(x, depth + 1))) return true;
  return false;
}
