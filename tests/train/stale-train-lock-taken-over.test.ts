// A training killed outright (SIGKILL, OOM) leaves its lock file behind; its
// owner is dead, so the next training takes the lock over, says so, and runs.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { movrec } from '../helpers/cli';
import { trainingHoldingTheLock } from '../helpers/locked-training';
import { ratedStore } from '../helpers/rated-store';

t.test("a dead training's lock is taken over by the next one", async (t) => {
  const dir = t.testdir();
  const dataDir = await ratedStore(dir, 12000, { users: 300, movies: 150 });
  const dead = await trainingHoldingTheLock(t, dataDir, 'operator', ['--kinds', 'segment-popularity']);
  dead.child.kill('SIGKILL');
  await dead.exited;
  const lock = join(dataDir, 'train.lock');
  t.match(readFileSync(lock, 'utf8'), `"pid":${dead.pid}`, "the killed training's lock is left behind");

  const next = movrec(['train', '--data-dir', dataDir, '--kinds', 'segment-popularity']);
  t.equal(next.status, 0, `the next training runs (stderr: ${next.stderr.slice(0, 600)})`);
  const said = next.stderr
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string; previous?: { pid: number } });
  t.ok(
    said.some((r) => /taking it over/.test(r.msg) && r.previous?.pid === dead.pid),
    "and says it took over the dead owner's lock",
  );
  t.notOk(existsSync(lock), 'and leaves no lock when done');
});
