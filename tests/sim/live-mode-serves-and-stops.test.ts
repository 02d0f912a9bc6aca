import t from 'tap';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MOVREC } from '../helpers/cli';
import { parseLine } from './spec-lines';

t.test(
  'live mode serves the catalog API, drives the target at the paced rate, and stops cleanly on SIGTERM',
  async (t) => {
    let asked = 0;
    const service = createServer((_req, res) => {
      asked++;
      res.end('');
    });
    await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
    t.teardown(() => {
      service.closeAllConnections();
      service.close();
    });
    const target = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
    const out = join(t.testdir(), 'live.log');
    const child = spawn(
      process.execPath,
      [
        MOVREC,
        'sim',
        '--users',
        '300',
        '--movies',
        '500',
        '--api-port',
        '0',
        '--target',
        target,
        '--out',
        out,
        '--rate',
        '400',
        '--sessions',
        '50',
        '--scoreboard-every',
        '0.5',
      ],
      { env: { ...process.env, MOVREC_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    t.teardown(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const apiPort = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no API port in: ${stderr}`)), 60_000);
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        const m = /"port":(\d+)[^\n]*catalog API listening|catalog API listening[^\n]*port=(\d+)/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1] ?? m[2]));
        }
      });
    });
    const user = await fetch(`http://127.0.0.1:${apiPort}/user/1`);
    t.equal(user.status, 200);
    t.match(await user.json(), { user_id: 1, gender: /^[MF]$/ });
    // Let it run until the scoreboard has ticked a few times and requests were made.
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if ((stderr.match(/watched from list/g) ?? []).length >= 3 && asked > 0) {
          clearInterval(check);
          resolve();
        }
      }, 50);
    });
    const t0 = performance.now();
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    const runSeconds = (performance.now() - t0) / 1000 + (stderr.match(/watched from list/g) ?? []).length * 0.5 + 1;
    t.equal(code, 0, 'exits 0 on SIGTERM');
    t.match(stdout, /requests \d+ ok/, 'final scoreboard on stdout');
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    t.ok(lines.length > 0);
    t.ok(
      lines.every((l) => parseLine(l) !== null),
      'every line fits the spec',
    );
    t.ok(
      lines.some((l) => /recommendation request 127\.0\.0\.1:\d+, status 200, result: , \d+ ms$/.test(l)),
      'an empty answer is still a status 200 line',
    );
    // Pacing never runs ahead of the rate (generous bound on the run's length).
    t.ok(lines.length <= 400 * runSeconds + 50, `${lines.length} lines within ${runSeconds.toFixed(1)} s at 400/s`);
  },
);
