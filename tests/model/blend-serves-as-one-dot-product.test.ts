// A blend of two fitted models is still dot(user, item) + itemBias: the
// artifact's serving form gives exactly the blend's own scores (so the weight
// chosen on scores is the weight served), for additive and prior blends.
import t from 'tap';
import { Blend } from '../../src/model/blend';
import { MfSgd } from '../../src/model/mf-sgd';
import { Popularity } from '../../src/model/popularity';
import { PriorBlend } from '../../src/model/prior-blend';
import type { Recommender } from '../../src/model/recommender';
import { syntheticDataset } from '../../src/model/synthetic';

const ds = syntheticDataset({ users: 80, items: 50, perUser: 15, seed: 9 });

/** Largest difference between the serving form's dot product and scoreAll over a few users. */
function servedGap(m: Recommender): number {
  const s = m.serving()!;
  const out = new Float32Array(50);
  let worst = 0;
  for (const u of [0, 17, 79]) {
    m.scoreAll(u, out);
    for (let i = 0; i < 50; i++) {
      let dot = s.itemBias[i]!;
      for (let f = 0; f < s.factors; f++) dot += s.userFactors[u * s.factors + f]! * s.itemFactors[i * s.factors + f]!;
      worst = Math.max(worst, Math.abs(dot - out[i]!) / Math.max(1, Math.abs(out[i]!)));
    }
  }
  return worst;
}

t.test('blend serving form equals its scores', async (t) => {
  const blend = new Blend(new MfSgd({ factors: 6, epochs: 5 }), new Popularity({ bySegment: true }), 0.5);
  blend.fit(ds);
  const pop = new Popularity({ bySegment: true });
  pop.fit(ds);
  t.equal(blend.serving()!.factors, 6 + pop.serving().factors, 'factors are concatenated');
  t.equal(blend.kind, 'mf+segment-popularity');
  const gap = servedGap(blend);
  t.ok(gap < 1e-4, `by segment: max relative difference ${gap.toExponential(2)}`);
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

t.test('a blend with global popularity serves the weight it was calibrated with', async (t) => {
  for (const opts of [{}, { halfLifeDays: 7, trendHalfLifeDays: 112 }]) {
    const pop = new Popularity(opts);
    pop.fit(ds);
    t.ok(servedGap(pop) < 1e-6, `${pop.kind} alone serves its scores`);
    const blend = new Blend(new MfSgd({ factors: 6, epochs: 5 }), new Popularity(opts), 0.4);
    blend.fit(ds);
    const gap = servedGap(blend);
    t.ok(gap < 1e-4, `${blend.kind}: max relative difference ${gap.toExponential(2)}`);
  }
});

t.test('a prior blend serves log popularity plus its scaled personal score', async (t) => {
  const blend = new PriorBlend(
    new MfSgd({ factors: 6, epochs: 5 }),
    new Popularity({ halfLifeDays: 7, trendHalfLifeDays: 112 }),
    0.5,
  );
  blend.fit(ds);
  t.equal(blend.kind, 'mf*trend-popularity');
  t.equal(blend.serving()!.factors, 6, 'the personal factors alone: the prior is the item bias');
  const gap = servedGap(blend);
  t.ok(gap < 1e-4, `max relative difference ${gap.toExponential(2)}`);
  const chart = new PriorBlend(new MfSgd({ factors: 6, epochs: 5 }), new Popularity(), 0);
  chart.fit(ds);
  const pop = new Popularity();
  pop.fit(ds);
  const a = new Float32Array(50);
  const b = new Float32Array(50);
  chart.scoreAll(3, a);
  pop.scoreAll(3, b);
  const order = (x: Float32Array) => Array.from(x.keys()).sort((i, j) => x[j]! - x[i]! || i - j);
  t.same(order(a), order(b), 'beta = 0 ranks as popularity alone');
});
