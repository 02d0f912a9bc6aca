// `movrec train --movielens DIR` registers a model; `movrec models ls [--json]` lists it.
import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeMovieLensDir } from '../../src/eval/movielens-like';
import { movrec } from '../helpers/cli';
import type { Manifest } from '../../src/model/registry';
import { openStore } from '../../src/store/store';

t.test('train then list', async (t) => {
  const dir = t.testdir({ ml: {}, data: {} });
  writeMovieLensDir(join(dir, 'ml'));
  const dataDir = join(dir, 'data');
  // An empty store (as ingest leaves before any line): no models yet, said plainly.
  await openStore(dataDir).close();
  t.match(movrec(['models', 'ls', '--data-dir', dataDir]).stdout, /no models registered/);
  const tr = movrec([
    'train',
    '--data-dir',
    dataDir,
    '--movielens',
    join(dir, 'ml'),
    '--kinds',
    'mf,popularity',
    '--json',
  ]);
  t.equal(tr.status, 0, tr.stderr);
  const m = JSON.parse(tr.stdout) as Manifest;
  t.equal(m.approved, true, m.gate.reasons.join('; '));
  t.ok(existsSync(join(dataDir, 'models', `${m.id}.bin`)));
  t.match(tr.stderr, /mf epoch 1\/\d+ loss \d/, 'plain progress lines with the loss when not on a terminal');
  const ls = movrec(['models', 'ls', '--data-dir', dataDir]);
  t.equal(ls.status, 0, ls.stderr);
  t.match(ls.stdout, new RegExp(`${m.id}\\s+${m.kind}\\s+\\S+\\s+approved`));
  const lsJson = JSON.parse(movrec(['models', 'ls', '--data-dir', dataDir, '--json']).stdout) as Manifest[];
  t.same(
    lsJson.map((x) => x.id),
    [m.id],
  );
  const show = movrec(['models', 'show', m.id, '--data-dir', dataDir]);
  t.equal((JSON.parse(show.stdout) as Manifest).sha256, m.sha256);
  t.match(movrec(['models', 'show', '../../etc/passwd', '--data-dir', dataDir]).stderr, /not found/);
  t.match(movrec(['train', '--data-dir', dataDir, '--kinds', 'bogus']).stderr, /unknown model kind "bogus"/);
});
