// Runs the built `movrec serve` as a child on a free loopback port, finds the
// port in its log, and kills it at teardown if a test left it running.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Test } from 'tap';
import { MOVREC } from '../helpers/cli';

export interface Served {
  child: ChildProcess;
  port: number;
  base: string;
  /** Log records so far (JSON lines on stderr). */
  logs(): Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function spawnServe(
  t: Test,
  dataDir: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<Served> {
  const child = spawn(
    process.execPath,
    [MOVREC, 'serve', '--port', '0', '--host', '127.0.0.1', '--threads', '1', '--data-dir', dataDir, ...args],
    {
      env: { ...process.env, MOVREC_LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const records: Record<string, unknown>[] = [];
  let partial = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`movrec serve did not listen within 60 s: ${JSON.stringify(records.slice(-5))}`)),
      60_000,
    );
    child.stderr!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        let rec: Record<string, unknown>;
        try {
          rec = JSON.parse(line) as Record<string, unknown>;
        } catch {
          rec = { msg: line };
        }
        records.push(rec);
        if (rec.msg === 'listening' && typeof rec.port === 'number') {
          clearTimeout(timer);
          resolve(rec.port);
        }
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`movrec serve exited with ${code} before listening: ${JSON.stringify(records.slice(-5))}`));
    });
  });
  return { child, port, base: `http://127.0.0.1:${port}`, logs: () => records, exited };
}

/** Polls `check` every 50 ms until it returns a value, at most `tries` times. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  tries = 400,
): Promise<T | undefined> {
  for (let i = 0; i < tries; i++) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}
