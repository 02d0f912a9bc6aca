// Training records the gate's verdict as the first event of the model's
// history (`approved` or `rejected`, with the figures or the reasons), and
// `movrec models ls` shows it in the model's lineage.
import t from 'tap';
import { configFile, ratedStore } from '../helpers/rated-store';
import { movrec } from '../helpers/cli';
import type { Manifest } from '../../src/model/registry';

t.test('a trained model starts its lineage with the gate verdict', async (t) => {
  const dir = t.testdir({ data: {} });
  const dataDir = await ratedStore(dir, 12000);
  const lenientFile = configFile(dir, 'lenient', { gate: { maxRmse: 100 } });
  const tr = movrec(['train', '--data-dir', dataDir, '--config', lenientFile, '--kinds', 'mf', '--json']);
  t.equal(tr.status, 0, tr.stderr);
  const m = JSON.parse(tr.stdout) as Manifest;
  t.equal(m.approved, true, 'approved under a lenient RMSE bound');
  t.same(
    m.history?.map((h) => h.event),
    ['approved'],
    'one event, the verdict',
  );
  t.match(m.history?.[0]?.reason ?? '', /^gate passed: RMSE \d.*NDCG@20 \d/);
  // An impossible RMSE bound: the same data now gets refused.
  const strictFile = configFile(dir, 'strict', { gate: { maxRmse: 0 } });
  const strict = movrec(['train', '--data-dir', dataDir, '--config', strictFile, '--kinds', 'mf', '--json']);
  t.equal(strict.status, 0, strict.stderr);
  const r = JSON.parse(strict.stdout) as Manifest;
  t.equal(r.approved, false, 'refused under an impossible RMSE bound');
  const ls = movrec(['models', 'ls', '--data-dir', dataDir]);
  t.equal(ls.status, 0, ls.stderr);
  const line = ls.stdout.split('\n').find((l) => l.startsWith(m.id)) ?? '';
  t.match(line, /approved \(gate passed: RMSE/, `models ls shows the verdict: ${line}`);
  t.same(
    r.history?.map((h) => h.event),
    ['rejected'],
    'a refused model records rejected',
  );
  const rl = ls.stdout.split('\n').find((l) => l.startsWith(r.id)) ?? '';
  t.match(rl, /rejected \(gate refused: /, `and ls shows it: ${rl}`);
});
