// Simulator speed: world generation, history lines/s to a file and to Kafka, driver requests/s, peak memory; each
// beside its target.
// Usage: node dist/scripts/bench/sim-speed.js [--kafka HOST:PORT] [--users N] [--movies N]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createWorld, drive, kafkaSink, writeHistory } from '../../src/sim';

const { values } = parseArgs({
  options: {
    kafka: { type: 'string', default: '127.0.0.1:19092' },
    users: { type: 'string', default: '1000000' },
    movies: { type: 'string', default: '27000' },
    'file-lines': { type: 'string', default: '3000000' },
    'kafka-lines': { type: 'string', default: '1000000' },
    'drive-seconds': { type: 'string', default: '10' },
  },
});

const row = (what: string, value: string, target: string, ok: boolean, note = ''): void =>
  console.log(
    `${what.padEnd(34)} ${value.padStart(16)}   target ${target.padEnd(12)} ` +
      `${ok ? 'ok' : 'MISSED'}${note ? `   ${note}` : ''}`,
  );

/** Wall seconds and this process's CPU seconds for `fn`: on a shared machine the CPU figure is the steadier one. */
async function timed(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

// The trivial service runs in its own process so the driver's figures (wall and CPU) are the driver's.
const SERVER = `
const http = require('node:http');
const body = process.argv[1];
const s = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end(body); });
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'));
`;

async function main(): Promise<void> {
  console.log(`sim-speed: ${values.users} users x ${values.movies} movies; the machine is shared, figures are noisy`);
  let world!: ReturnType<typeof createWorld>;
  const gen = await timed(async () => {
    world = createWorld({ seed: 1, users: Number(values.users), movies: Number(values.movies) });
  });
  row('world generation', `${gen.wall.toFixed(2)} s`, '< 60 s', gen.wall < 60, `(${gen.cpu.toFixed(2)} s of CPU)`);

  const dir = mkdtempSync(join(tmpdir(), 'sim-speed-'));
  try {
    const file = join(dir, 'history.log');
    const nFile = Number(values['file-lines']);
    const f = await timed(() => writeHistory(world, { lines: nFile, out: file }));
    row(
      'history to a file',
      `${(nFile / f.wall).toFixed(0)} lines/s`,
      '>= 200000',
      nFile / f.wall >= 200000,
      `(${(nFile / f.cpu).toFixed(0)} lines per CPU-second)`,
    );
    console.log(`  (${nFile} lines, ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB in ${f.wall.toFixed(2)} s)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const nKafka = Number(values['kafka-lines']);
  try {
    const topic = `movielog-bench-${Date.now()}`;
    const sink = await kafkaSink({ brokers: [values.kafka!], topic });
    const k = await timed(() => writeHistory(world, { lines: nKafka, out: sink }));
    row(
      `history to Kafka ${values.kafka}`,
      `${(nKafka / k.wall).toFixed(0)} lines/s`,
      '>= 50000',
      nKafka / k.wall >= 50000,
      `(${(nKafka / k.cpu).toFixed(0)} lines per CPU-second of the producer)`,
    );
  } catch (e) {
    console.log(`history to Kafka ${values.kafka}: not measured (${(e as Error).message})`);
  }

  const server = spawn(process.execPath, ['-e', SERVER, world.movieIds.slice(0, 20).join(',')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((r) =>
    server.stdout.once('data', (c: Buffer) => r(Number(c.toString().trim()))),
  );
  try {
    const c0 = process.cpuUsage();
    const s = await drive(world, {
      target: `http://127.0.0.1:${port}`,
      durationMs: Number(values['drive-seconds']) * 1000,
      recommendShare: 1,
      sessions: 5000,
      concurrency: 64,
    });
    const c = process.cpuUsage(c0);
    const cpuS = (c.user + c.system) / 1e6;
    row(
      'driver against a trivial server',
      `${s.requestsPerSecond.toFixed(0)} req/s`,
      '>= 2000',
      s.requestsPerSecond >= 2000,
      `(${(s.requests / cpuS).toFixed(0)} per CPU-second of the driver)`,
    );
    console.log(
      `  (${s.requests} requests, success ${(100 * s.successRate).toFixed(1)}%, p50 ` +
        `${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms)`,
    );
  } finally {
    server.kill();
  }
  const peak = process.resourceUsage().maxRSS * 1024;
  row('peak RSS', `${(peak / 2 ** 30).toFixed(2)} GiB`, '< 4 GiB', peak < 4 * 2 ** 30);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
