// `movrec experiment start|status|stop` against a running `movrec serve`:
// users are split between the two arms by the salted hash, each arm answers
// with its model and says so in X-Arm, and after a restart (SIGTERM, a new
// process on the same data dir) every user keeps their arm because the
// experiment and its salt live in LMDB. Bad plans exit 2 with one line.
import t from 'tap';
import { MODEL_A, MODEL_B, addModel, fillStore } from '../http/fixture';
import { movrec } from '../helpers/cli';
import { spawnServe } from '../serve/spawn-serve';

const TOKEN = 'exp-token';
const env = { MOVREC_ADMIN_TOKEN: TOKEN };

async function arms(base: string): Promise<string[]> {
  const out: string[] = [];
  for (let u = 1; u <= 120; u++) {
    const r = await fetch(`${base}/recommend/${u}`);
    await r.text();
    out.push(`${r.headers.get('x-arm')} ${r.headers.get('x-model-id')}`);
  }
  return out;
}

t.test('an experiment splits users by hash, and a restart keeps every arm', async (t) => {
  const dataDir = t.testdir();
  await fillStore(dataDir);
  addModel(dataDir, MODEL_A, 'ascending', '2026-01-01T00:00:00.000Z');
  addModel(dataDir, MODEL_B, 'descending', '2026-01-02T00:00:00.000Z');
  let s = await spawnServe(t, dataDir, [], env);
  const cli = (...args: string[]) => movrec([...args, '--data-dir', dataDir, '--server', s.base], { env });

  const bad = cli('experiment', 'start', 'e1', '--arm', `a=${MODEL_A}:50`);
  t.equal(bad.status, 2, 'one arm is a usage error');
  const over = cli('experiment', 'start', 'e1', '--arm', `a=${MODEL_A}:70`, '--arm', `b=${MODEL_B}:40`);
  t.equal(over.status, 2, over.stderr);
  t.match(over.stderr, /add up to 110%/);

  const started = cli(
    'experiment',
    'start',
    'e1',
    '--arm',
    `a=${MODEL_A}:50`,
    '--arm',
    `b=${MODEL_B}:50`,
    '--min-users',
    '10000',
    '--json',
  );
  t.equal(started.status, 0, started.stderr);
  const report = JSON.parse(started.stdout) as {
    name: string;
    decision: { verdict: string; horizon: number; text: string };
  };
  t.equal(report.name, 'e1');
  t.equal(report.decision.horizon, 10000, '--min-users above the power calculation sets the horizon');
  t.match(report.decision.text, /^not yet: 10000 more users per arm/);
  const again = cli('experiment', 'start', 'e2', '--arm', `a=${MODEL_A}:50`, '--arm', `b=${MODEL_B}:50`);
  t.equal(again.status, 1, 'a second experiment is refused while one runs');
  t.match(again.stderr, /409 experiment e1 is running/);

  const before = await arms(s.base);
  const a = before.filter((x) => x === `e1/a ${MODEL_A}`).length;
  const b = before.filter((x) => x === `e1/b ${MODEL_B}`).length;
  t.equal(a + b, 120, `every user is in an arm and answered by its model: ${[...new Set(before)]}`);
  t.ok(a > 35 && b > 35, `both arms get about half (${a} and ${b})`);

  s.child.kill('SIGTERM');
  t.same(await s.exited, { code: 0, signal: null });
  s = await spawnServe(t, dataDir, [], env);
  t.same(await arms(s.base), before, 'after the restart every user has the same arm and model');

  const status = cli('experiment', 'status');
  t.equal(status.status, 0, status.stderr);
  t.match(status.stdout, /experiment e1 \(watch-from-list\)/);
  t.match(status.stdout, /a mf-20260101T000000Z-aaaaaa 50%: \d+ answers/);
  const stopped = cli('experiment', 'stop', '--json');
  t.equal(stopped.status, 0, stopped.stderr);
  t.ok((JSON.parse(stopped.stdout) as { stoppedAt?: string }).stoppedAt, 'the final report is returned');
  const r = await fetch(`${s.base}/recommend/1`);
  await r.text();
  t.equal(r.headers.get('x-arm'), 'stable', 'after stop everyone is on stable');
  t.equal(cli('experiment', 'stop').status, 1, 'stopping twice is refused');
  s.child.kill('SIGTERM');
  await s.exited;
});
