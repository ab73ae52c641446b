/**
 * Request/reply over the child_process IPC channel: the orchestrator drives the server and the load
 * generators with it. A child exits when its parent goes away, so nothing outlives a benchmark run.
 */
import { fork, type ChildProcess } from 'node:child_process';

interface RpcRequest {
  rpc: number;
  cmd: string;
  args?: unknown;
}
interface RpcReply {
  rpc: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/** Handlers of a child, by command. */
export type Handlers = Record<string, (args: never) => unknown>;

/** The child side: answers the parent's requests; exits when the IPC channel closes. */
export function serveRpc(handlers: Handlers): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('run me through child_process.fork (no IPC channel)');
  process.on('message', (raw) => {
    const m = raw as RpcRequest;
    if (typeof m !== 'object' || m === null || typeof m.rpc !== 'number') return;
    const h = handlers[m.cmd] as ((args: unknown) => unknown) | undefined;
    Promise.resolve()
      .then(() => {
        if (!h) throw new Error(`unknown command ${m.cmd}`);
        return h(m.args);
      })
      .then(
        (result) => send({ rpc: m.rpc, ok: true, result } satisfies RpcReply),
        (err: unknown) => send({ rpc: m.rpc, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies RpcReply),
      );
  });
  process.on('disconnect', () => process.exit(0));
}

/** The parent side: one forked child running a TypeScript entry point through tsx. */
export class RpcChild {
  readonly child: ChildProcess;
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited: Error | null = null;

  constructor(
    readonly name: string,
    entry: string,
    args: string[] = [],
    opts: { exposeGc?: boolean; cwd?: string } = {},
  ) {
    const execArgv = ['--import', 'tsx'];
    if (opts.exposeGc) execArgv.unshift('--expose-gc');
    this.child = fork(entry, args, { execArgv, cwd: opts.cwd ?? process.cwd(), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (raw) => {
      const m = raw as RpcReply;
      const w = this.waiting.get(m.rpc);
      if (!w) return;
      this.waiting.delete(m.rpc);
      if (m.ok) w.resolve(m.result);
      else w.reject(new Error(`${this.name}: ${m.error ?? 'failed'}`));
    });
    this.child.on('exit', (code, signal) => {
      this.exited = new Error(`${this.name} exited (code ${code}, signal ${signal})`);
      for (const w of this.waiting.values()) w.reject(this.exited);
      this.waiting.clear();
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  call<T>(cmd: string, args?: unknown, timeoutMs = 180_000): Promise<T> {
    if (this.exited) return Promise.reject(this.exited);
    const rpc = this.next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(rpc);
        reject(new Error(`${this.name}: ${cmd} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(rpc, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ rpc, cmd, args } satisfies RpcRequest);
    });
  }

  /** Waits for the child to exit, killing it if it does not within `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.kill(), graceMs);
    await gone;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
