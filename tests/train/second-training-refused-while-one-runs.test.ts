// Two trainings on one data dir never run at once: while one `movrec train`
// (here, as the systemd timer's would) holds the lock, a second says whose it
// is and since when and exits 75, training and registering nothing; once the
// first ends, the lock is gone and a training runs again.
import t from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { movrec } from '../helpers/cli';
import { trainingHoldingTheLock } from '../helpers/locked-training';
import { ratedStore } from '../helpers/rated-store';

const manifests = (dataDir: string): string[] =>
  existsSync(join(dataDir, 'models')) ? readdirSync(join(dataDir, 'models')).filter((f) => f.endsWith('.json')) : [];

t.test('a second movrec train exits 75 naming the running one, then runs once it ended', async (t) => {
  const dir = t.testdir();
  const dataDir = await ratedStore(dir, 12000, { users: 300, movies: 150 });
  const first = await trainingHoldingTheLock(t, dataDir, 'movrec-train.timer', ['--kinds', 'segment-popularity']);

  const second = movrec(['train', '--data-dir', dataDir, '--kinds', 'segment-popularity']);
  t.equal(second.status, 75, `the second exits 75 (stderr: ${second.stderr.trim()})`);
  t.match(
    second.stderr,
    new RegExp(`a training is already running on .*: pid ${first.pid} \\(movrec-train\\.timer\\) since \\d{4}-`),
    'it says a training is running, by whom and since when',
  );
  t.same(manifests(dataDir), [], 'the second registered nothing');

  first.child.kill('SIGCONT');
  t.equal(await first.exited, 0, 'the first, let go on, finishes');
  t.equal(manifests(dataDir).length, 1, 'and registers its model');
  t.notOk(existsSync(join(dataDir, 'train.lock')), 'its lock is gone with it');

  const third = movrec(['train', '--data-dir', dataDir, '--kinds', 'segment-popularity']);
  t.equal(third.status, 0, third.stderr);
  t.equal(manifests(dataDir).length, 2, 'a training after it runs');
});
