// `movrec train --reproduce MODEL_ID` rebuilds a model from the snapshot of
// events its manifest records, with its recorded settings and seed, and the
// artifact's sha256 equals the recorded one even after the store moved on; a
// snapshot whose bytes changed is refused.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyLines } from '../helpers/ingest-lines';
import { movrec } from '../helpers/cli';
import type { Manifest } from '../../src/model/registry';

t.test('train, ingest more, reproduce: equal digest; tampered snapshot: refused', async (t) => {
  const dir = t.testdir();
  const dataDir = join(dir, 'data');
  const lines = await historyLines(24000, { users: 300, movies: 150, spuriousRate: 0 });
  const first = join(dir, 'first.txt');
  writeFileSync(first, `${lines.slice(0, 16000).join('\n')}\n`);
  t.equal(movrec(['ingest', '--from-file', first, '--data-dir', dataDir]).status, 0);
  // One model per seeded trainer (SGD, and ALS with its CG solves): a popularity winner would not depend on the seed.
  const trained = ['mf', 'ials'].map((kind) => {
    const tr = movrec(['train', '--data-dir', dataDir, '--json', '--eval-users', '300', '--kinds', kind]);
    t.equal(tr.status, 0, tr.stderr);
    const m = JSON.parse(tr.stdout) as Manifest;
    t.equal(m.kind, kind);
    t.ok(m.data.snapshot, 'the manifest records the training snapshot');
    return m;
  });
  const m = trained[0]!;
  t.equal(trained[1]!.data.snapshot?.file, m.data.snapshot?.file, 'models of one window share one snapshot file');
  const snapPath = join(dataDir, 'snapshots', m.data.snapshot!.file);

  // The store moves on: reproduction must not read it.
  const second = join(dir, 'second.txt');
  writeFileSync(second, `${lines.slice(16000).join('\n')}\n`);
  t.equal(movrec(['ingest', '--from-file', second, '--data-dir', dataDir]).status, 0);

  for (const x of trained) {
    const again = movrec(['train', '--data-dir', dataDir, '--reproduce', x.id]);
    t.equal(again.status, 0, again.stderr);
    t.match(again.stdout, new RegExp(`artifact sha256 ${x.sha256} equals the recorded one: reproduced`), x.kind);
  }
  const json = JSON.parse(movrec(['train', '--data-dir', dataDir, '--reproduce', m.id, '--json']).stdout);
  t.equal(json.rebuilt, m.sha256);
  t.equal(json.equal, true);

  // One byte of one rating changed: refused before anything is trained.
  const bytes = readFileSync(snapPath);
  bytes[bytes.length - 1 - Math.floor(bytes.length / 3)]! ^= 0x01;
  writeFileSync(snapPath, bytes);
  const tampered = movrec(['train', '--data-dir', dataDir, '--reproduce', m.id]);
  t.equal(tampered.status, 1);
  t.match(
    tampered.stderr,
    /MOVREC_ERR_SNAPSHOT_CHECKSUM|training snapshot .* refused: sha256 [0-9a-f]+ is not the recorded/,
  );
  t.notMatch(tampered.stdout, /reproduced/);

  const flags = movrec(['train', '--data-dir', dataDir, '--reproduce', m.id, '--kinds', 'mf']);
  t.equal(flags.status, 2);
  t.match(flags.stderr, /--kinds does not apply to --reproduce/);
  const unknown = movrec(['train', '--data-dir', dataDir, '--reproduce', 'mf-20260101T000000Z-abcdef']);
  t.equal(unknown.status, 1);
  t.match(unknown.stderr, /model mf-20260101T000000Z-abcdef not found/);
});
