// A training snapshot is kept exactly as long as a model trained on it: removing
// a model (movrec models rm, movrec models gc) removes its snapshot unless a
// kept model shares it, orphan snapshot files go too, the model a restart
// would load is refused, and --reproduce still rebuilds a kept model.
import t from 'tap';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { movrec } from '../helpers/cli';
import { ratedSlices } from '../helpers/rated-store';
import { DB } from '../../src/store/tables';
import { openStore } from '../../src/store/store';
import type { Manifest } from '../../src/model/registry';

t.test('removing models removes the snapshots no kept model is trained on', async (t) => {
  const dir = t.testdir();
  const { dataDir, lines, ingest } = await ratedSlices(dir, 12000);
  // The gate opened wide: every model here is approved, so the newest is the one a restart loads.
  const cfg = join(dir, 'cfg.json');
  writeFileSync(cfg, JSON.stringify({ gate: { maxRmse: 100, ndcgTolerance: 1 } }));
  const train = (): Manifest => {
    const r = movrec(['train', '--data-dir', dataDir, '--json', '--kinds', 'segment-popularity', '--config', cfg]);
    t.equal(r.status, 0, r.stderr.slice(0, 500));
    return JSON.parse(r.stdout) as Manifest;
  };
  const snapshots = (): string[] => readdirSync(join(dataDir, 'snapshots')).sort();
  const listed = (): string[] =>
    (JSON.parse(movrec(['models', 'ls', '--data-dir', dataDir, '--json']).stdout) as { id: string }[]).map((m) => m.id);

  ingest(0, 8000);
  const a = train();
  const b = train();
  ingest(8000, lines.length);
  const c = train();
  const shared = a.data.snapshot!.file;
  t.equal(b.data.snapshot?.file, shared, 'two models trained on the same events share one snapshot');
  t.not(c.data.snapshot?.file, shared, 'a model trained on more events has its own');
  writeFileSync(join(dataDir, 'snapshots', 'left-by-a-dead-training.snap'), 'x'.repeat(100));
  writeFileSync(join(dataDir, 'snapshots', `${shared}.tmp-99999`), 'half written');

  const rmA = movrec(['models', 'rm', a.id, '--data-dir', dataDir]);
  t.equal(rmA.status, 0, rmA.stderr);
  t.match(rmA.stdout, /^removed 1 model\(s\), 2 training snapshot\(s\)/, rmA.stdout);
  t.same(snapshots(), [shared, c.data.snapshot!.file].sort(), 'the shared snapshot stays for b; orphans go');
  t.notOk(existsSync(join(dataDir, 'models', `${a.id}.bin`)), "a's artifact is gone");
  t.notOk(listed().includes(a.id), 'a is no longer listed');

  t.equal(movrec(['models', 'rm', b.id, '--data-dir', dataDir]).status, 0);
  t.same(snapshots(), [c.data.snapshot!.file], 'with b, the last model trained on it, the shared snapshot goes');

  const refused = movrec(['models', 'rm', c.id, '--data-dir', dataDir]);
  t.equal(refused.status, 1, 'the newest approved model (what a restart loads) is not removed');
  t.match(refused.stderr, new RegExp(`model ${c.id} is in use`));
  t.ok(listed().includes(c.id), 'c stays');

  const d = train();
  t.equal(d.data.snapshot?.file, c.data.snapshot?.file, 'd is trained on the same events as c');
  const gc = movrec(['models', 'gc', '--keep', '1', '--data-dir', dataDir, '--json']);
  t.equal(gc.status, 0, gc.stderr);
  t.same((JSON.parse(gc.stdout) as { models: string[] }).models, [c.id], 'gc --keep 1 removes all but the newest');
  t.same(listed(), [d.id]);
  t.same(snapshots(), [d.data.snapshot!.file], 'the snapshot d shares with c stays');

  const again = movrec(['train', '--reproduce', d.id, '--data-dir', dataDir]);
  t.equal(again.status, 0, again.stderr.slice(0, 500));
  t.match(again.stdout, /equals the recorded one: reproduced/, 'the kept model is still reproduced');

  const store = openStore(dataDir, { readOnly: true });
  try {
    const mirror = store.root.openDB<Manifest, string>({ name: DB.models });
    t.equal(mirror.get(a.id), undefined, "the removed models' LMDB mirror entries go too");
    t.equal(mirror.get(c.id), undefined);
    t.equal(mirror.get(d.id)?.id, d.id, "the kept one's stays");
  } finally {
    await store.close();
  }
});
