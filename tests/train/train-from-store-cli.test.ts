// `movrec train` reads its snapshot from the LMDB store that `movrec ingest`
// filled (simulator history), registers the model in <data-dir>/models and in
// the store's `models` sub-db; an empty store is a usage error.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyLines } from '../helpers/ingest-lines';
import { movrec } from '../helpers/cli';
import { openStore } from '../../src/store/store';
import type { Manifest } from '../../src/model/registry';

t.test('ingest simulator history, then train from the store', async (t) => {
  const dir = t.testdir({ data: {} });
  const dataDir = join(dir, 'data');
  await openStore(join(dir, 'empty')).close();
  const empty = movrec(['train', '--data-dir', join(dir, 'empty')]);
  t.equal(empty.status, 2);
  t.match(empty.stderr, /no events in the store/);
  const file = join(dir, 'history.txt');
  writeFileSync(file, `${(await historyLines(30000, { users: 300, movies: 150, spuriousRate: 0 })).join('\n')}\n`);
  const ing = movrec(['ingest', '--from-file', file, '--data-dir', dataDir]);
  t.equal(ing.status, 0, ing.stderr);
  const tr = movrec(['train', '--data-dir', dataDir, '--kinds', 'mf,segment-popularity', '--json']);
  t.equal(tr.status, 0, tr.stderr);
  const m = JSON.parse(tr.stdout) as Manifest;
  t.ok(m.data.watches > 0, `snapshot has ${m.data.watches} watches and ${m.data.ratings} ratings`);
  t.match(m.data.hash, /^[0-9a-f]{16,}$/);
  t.ok(m.data.to >= m.data.from);
  t.match(m.kind, /^(mf|segment-popularity|blend)$/);
  const store = openStore(dataDir, { readOnly: true });
  t.teardown(() => store.close());
  const mirrored = store.root.openDB<Manifest, string>({ name: 'models' }).get(m.id);
  t.equal(mirrored?.sha256, m.sha256, 'the LMDB registry mirrors the manifest');
  t.equal(m.hyperparameters.windowDays, 0, 'no --window: the whole store');

  // --window keeps the last days of event time, and the manifest records the window used.
  const spanDays = (m.data.to - m.data.from) / 86400_000;
  const windowed = movrec([
    'train',
    '--data-dir',
    dataDir,
    '--kinds',
    'segment-popularity',
    '--window',
    String(spanDays / 2),
    '--json',
  ]);
  t.equal(windowed.status, 0, windowed.stderr);
  const w = JSON.parse(windowed.stdout) as Manifest;
  t.equal(w.hyperparameters.windowDays, spanDays / 2);
  t.ok(
    w.data.watches < m.data.watches,
    `the window leaves out watches seen only before it (${w.data.watches} of ${m.data.watches} kept)`,
  );
  t.ok(w.data.from > m.data.from, 'and starts later');
  const bad = movrec(['train', '--data-dir', dataDir, '--window', 'week']);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--window must be a non-negative number, got "week"/);
});

t.test('--window does not apply to --movielens', async (t) => {
  const r = movrec(['train', '--data-dir', t.testdir(), '--movielens', t.testdir(), '--window', '3']);
  t.equal(r.status, 2);
  t.match(r.stderr, /--window selects events of the store; it does not apply to --movielens/);
});
