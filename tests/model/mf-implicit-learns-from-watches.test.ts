// With implicitWeight > 0, MF also learns from watches without a rating: a
// user who only watched gets factors; plain MF leaves that user at the biases.
import t from 'tap';
import { MfSgd } from '../../src/model/mf-sgd';
import { syntheticDataset } from '../../src/model/synthetic';

t.test('watch-only users get factors only when the implicit signal is folded in', async (t) => {
  const ds = syntheticDataset({ users: 60, items: 40, perUser: 12, seed: 4 });
  // Drop every rating of user 0: it keeps its watches.
  const keep = Array.from(ds.ratings.user.keys()).filter((n) => ds.ratings.user[n] !== 0);
  const r = ds.ratings;
  ds.ratings = {
    user: Uint32Array.from(keep, (n) => r.user[n]!),
    item: Uint32Array.from(keep, (n) => r.item[n]!),
    value: Float32Array.from(keep, (n) => r.value[n]!),
    time: Float64Array.from(keep, (n) => r.time[n]!),
  };
  t.ok(Array.from(ds.watches.user).includes(0), 'user 0 has watches');
  const k = 4;
  const plain = new MfSgd({ factors: k, epochs: 5 });
  plain.fit(ds);
  const folded = new MfSgd({ factors: k, epochs: 5, implicitWeight: 0.5 });
  folded.fit(ds);
  t.equal(folded.kind, 'mf-implicit');
  const norm = (m: MfSgd) => Array.from(m.serving().userFactors.subarray(0, k)).reduce((s, x) => s + x * x, 0);
  t.equal(norm(plain), 0, 'plain MF: no ratings, no factors');
  t.ok(norm(folded) > 0, 'implicit MF: the watches shaped the factors');
});
