/** A small typed fetch wrapper over the Wardbell API and its error envelope. */

/** An error answer (`{"error":{"code","message","details"?}}`), or a network failure (status 0). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface ApiOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  token?: string | null;
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads `{error:{code,message,details}}` if the body is one. */
export function envelopeOf(body: unknown): { code: string; message: string; details?: unknown } | null {
  if (!isRecord(body) || !isRecord(body.error)) return null;
  const { code, message, details } = body.error;
  if (typeof code !== 'string' || typeof message !== 'string') return null;
  return { code, message, details };
}

/** Calls the API; resolves with the parsed JSON body, rejects with `ApiError`. */
export async function api<T>(path: string, opts: ApiOptions = {}): Promise<T> {
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'The service did not answer (network error or server down).');
  }
  const text = await res.text();
  let body: unknown = null;
  if (text !== '') {
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      body = text;
    }
  }
  if (!res.ok) {
    const env = envelopeOf(body);
    if (env) throw new ApiError(res.status, env.code, env.message, env.details);
    throw new ApiError(res.status, `http_${res.status}`, `${res.status} ${res.statusText || 'error'}`);
  }
  return body as T;
}

/** A one-line description of any failure, for the UI. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.status === 0 ? err.message : `${err.status} ${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
