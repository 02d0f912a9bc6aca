// A broker of a test's own (scripts/kafka in a private run dir), for tests that stop it or configure it.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'kafka');
const run = promisify(execFile);

export interface PrivateBroker {
  /** host:port, the same across restarts. */
  address: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stop it and remove its run dir. */
  destroy(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Starts a broker on a fixed free port; `sasl` ("user:password") makes its listener SASL_PLAINTEXT/PLAIN. */
export async function privateBroker(opts: { sasl?: string } = {}): Promise<PrivateBroker> {
  const home = mkdtempSync(join(tmpdir(), 'movrec-private-kafka-'));
  const port = await freePort();
  const env = {
    ...process.env,
    MOVREC_KAFKA_HOME: home,
    MOVREC_KAFKA_HEAP: '256m',
    ...(opts.sasl ? { MOVREC_KAFKA_SASL: opts.sasl } : {}),
  };
  // Async, so the test keeps reading its children's output while the script waits on the JVM.
  const kafka = async (...args: string[]) => (await run(SCRIPT, args, { env, timeout: 75_000 })).stdout.trim();
  const b: PrivateBroker = {
    address: `127.0.0.1:${port}`,
    async start() {
      const said = await kafka('start', String(port));
      if (!said.endsWith(b.address)) throw new Error(`scripts/kafka start said ${said}, not ${b.address}`);
    },
    async stop() {
      await kafka('stop');
    },
    async destroy() {
      await kafka('stop').catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
    },
  };
  try {
    await b.start();
  } catch (e) {
    await b.destroy();
    throw e;
  }
  return b;
}
