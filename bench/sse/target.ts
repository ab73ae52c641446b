/** A server under test, as the server child drives it. */
export interface Target {
  /** Base URL (http://127.0.0.1:port). */
  readonly url: string;
  /** Open SSE streams, as the server counts them. */
  connections(): number;
  /**
   * Publishes one benchmark event to every open stream. Its data must serialise as
   * `{"seq":<seq>,"t":<t>}` (what the load generator scans for). Resolves once it has been handed to
   * the connections (for wardbell: appended to the log and fanned out).
   */
  publish(seq: number, t: number): Promise<void> | void;
  /** Server-side counters worth reporting (optional). */
  stats(): Record<string, unknown>;
  close(): Promise<void>;
}

export interface TargetOptions {
  /** Scratch directory (wardbell's SQLite file). */
  dataDir: string;
  /** HS256 secret the load generator's tokens are signed with. */
  secret: string;
  /** Wardbell only: directory of an alternative `src/` to benchmark (default: the project's). */
  srcDir?: string | undefined;
}

/** Milliseconds since the epoch with sub-millisecond resolution, comparable across processes. */
export const wallNow = (): number => performance.timeOrigin + performance.now();
