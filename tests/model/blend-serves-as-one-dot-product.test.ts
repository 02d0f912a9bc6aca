// A blend of two fitted models is still dot(user, item) + itemBias: the
// artifact's serving form ranks exactly as the blend's own scores do.
import t from 'tap';
import { Blend } from '../../src/model/blend';
import { MfSgd } from '../../src/model/mf-sgd';
import { Popularity } from '../../src/model/popularity';
import { syntheticDataset } from '../../src/model/synthetic';

t.test('blend serving form equals its scores', async (t) => {
  const ds = syntheticDataset({ users: 80, items: 50, perUser: 15, seed: 9 });
  const blend = new Blend(new MfSgd({ factors: 6, epochs: 5 }), new Popularity({ bySegment: true }), 0.5);
  blend.fit(ds);
  const s = blend.serving()!;
  const pop = new Popularity({ bySegment: true });
  pop.fit(ds);
  t.equal(s.factors, 6 + pop.serving().factors, 'factors are concatenated');
  t.equal(blend.kind, 'mf+segment-popularity');
  const out = new Float32Array(50);
  let worst = 0;
  for (const u of [0, 17, 79]) {
    blend.scoreAll(u, out);
    for (let i = 0; i < 50; i++) {
      let dot = s.itemBias[i]!;
      for (let f = 0; f < s.factors; f++) dot += s.userFactors[u * s.factors + f]! * s.itemFactors[i * s.factors + f]!;
      worst = Math.max(worst, Math.abs(dot - out[i]!));
    }
  }
  t.ok(worst < 1e-4, `max difference ${worst.toExponential(2)}`);
  t.equal(blend.hyperparameters().w, 0.5);
  const alone = new Blend(new MfSgd({ factors: 6, epochs: 5 }), new Popularity(), 0);
  alone.fit(ds);
  const mf = new MfSgd({ factors: 6, epochs: 5 });
  mf.fit(ds);
  const a = new Float32Array(50);
  const b = new Float32Array(50);
  alone.scoreAll(3, a);
  mf.scoreAll(3, b);
  const order = (x: Float32Array) => Array.from(x.keys()).sort((i, j) => x[j]! - x[i]!);
  t.same(order(a), order(b), 'w = 0 ranks as the first model alone');
});
