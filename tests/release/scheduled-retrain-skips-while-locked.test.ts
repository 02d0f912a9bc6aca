// serve's scheduled retrain never trains beside another training on its data
// dir (the systemd timer's `movrec train`): while that one holds the lock, each
// round is skipped, visibly (a log line naming the holder, and
// movrec_retrain_runs_total{outcome="skipped"}); once it has ended, the
// schedule trains again.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call } from '../http/harness';
import { trainingHoldingTheLock } from '../helpers/locked-training';
import { ratedStore } from '../helpers/rated-store';
import { eventually, spawnServe } from '../serve/spawn-serve';

const SKIPPED = /^movrec_retrain_runs_total\{outcome="skipped"\} (\d+)$/m;

t.test('the scheduler skips its rounds while a training holds the lock, then trains', async (t) => {
  const dir = t.testdir();
  const dataDir = await ratedStore(dir, 12000, { users: 300, movies: 150 });
  const timer = await trainingHoldingTheLock(t, dataDir, 'movrec-train.timer', ['--kinds', 'segment-popularity']);

  const cfg = join(dir, 'cfg.json');
  writeFileSync(cfg, JSON.stringify({ retrain: { everyMinutes: 0.01 }, train: { epochs: 2, factors: 4 } }));
  const s = await spawnServe(t, dataDir, ['--config', cfg]);
  t.teardown(() => {
    s.child.kill('SIGTERM');
  });

  const skipped = await eventually(() => {
    const x = s.logs().filter((r) => String(r.msg).startsWith('retrain: skipped, a training is already running'));
    return x.length >= 2 ? x : undefined;
  }, 600);
  t.ok(skipped && skipped.length >= 2, `rounds were skipped while the lock was held (${skipped?.length})`);
  const holder = skipped?.[0]?.holder as { pid?: number; by?: string } | undefined;
  t.equal(holder?.pid, timer.pid, "the log names the holder's pid");
  t.equal(holder?.by, 'movrec-train.timer', 'and who it is');
  t.notOk(
    s.logs().some((r) => r.msg === 'retrain: training child started'),
    'no training child was started beside it',
  );
  const metrics = (await call(`${s.base}/metrics`)).body;
  t.ok(Number(SKIPPED.exec(metrics)?.[1] ?? 0) >= 2, 'the skipped rounds are counted in /metrics');

  timer.child.kill('SIGCONT');
  t.equal(await timer.exited, 0, "the timer's training finishes");
  const started = await eventually(() => s.logs().find((r) => r.msg === 'retrain: training child started'), 600);
  t.ok(started, 'once the lock is free, the schedule trains again');
  const ended = await eventually(
    () => s.logs().find((r) => /^retrain: gate|^retrain: gates passed|^retrain failed/.test(String(r.msg))),
    1200,
  );
  t.match(String(ended?.msg), /^retrain: gate/, `and that training runs to its gate verdict (${ended?.msg})`);
});
