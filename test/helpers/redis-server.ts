import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { eventually } from './eventually.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A private Redis (no persistence, like this machine's) that a test may kill, restart or tamper with. */
export async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const ping = () =>
    new Promise<boolean>((r) => {
      const c = spawn('redis-cli', ['-p', String(port), 'ping'], { stdio: 'ignore' });
      c.on('exit', (code) => r(code === 0));
    });
  await eventually(ping, { message: 'redis to start' });
  return child;
}
