// movrec demo on a busy port: exits non-zero at once with the listen error,
// before building or ingesting anything, whatever --duration says.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { MOVREC } from '../helpers/cli';

t.test('the demo refuses a busy port and exits at once', async (t) => {
  const holder = createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => holder.close(() => r())));
  const port = (holder.address() as AddressInfo).port;
  const dir = t.testdir();
  const child = spawn(
    process.execPath,
    [
      MOVREC,
      'demo',
      '--data-dir',
      dir,
      '--port',
      String(port),
      '--users',
      '300',
      '--movies',
      '100',
      '--history',
      '20000',
      '--duration',
      '600',
    ],
    { env: { ...process.env, MOVREC_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  // Bounded: a demo that keeps running is killed here and the test fails on the signal.
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) =>
    child.on('exit', (c, s) => r([c, s])),
  );
  clearTimeout(killer);
  t.equal(signal, null, 'it ended by itself');
  t.not(code, 0, 'with a non-zero exit code');
  t.match(stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}`), 'saying it cannot listen');
  t.notOk(existsSync(join(dir, 'demo', 'base')), 'before any history was written or ingested');
});
