// A scoring worker builds a model's id table (seen lists resolved by their
// bytes) and its popularity order in pieces between tasks (warmUpYielding), so
// no piece stalls answers for long: the table it ends with finds every id, a
// lookup before the last piece completes it at once, the order is one sort's
// (ties to the lower index), and the id map (built only when asked) is whole.
import t from 'tap';
import { encodeArtifact } from '../../src/model/artifact';
import { prepareModel, warmUpYielding, type PreparedModel } from '../../src/scoring/prepared-model';
import { modelParts } from '../helpers/scoring';

// 20,000 items: three pieces of the id table.
const parts = modelParts({ id: 'mf-20261204T000000Z-000001', users: [1, 2], items: 20_000, factors: 4, seed: 5 });
const bytes = encodeArtifact(parts);

/** Every id looked up in the table: how many find their own index. */
const found = (m: PreparedModel) =>
  parts.itemIds.filter((id, i) => {
    const b = Buffer.from(id, 'utf8');
    return m.idTable.find(b, 0, b.length) === i;
  }).length;

t.test('warm-up in pieces ends with the whole id table', async (t) => {
  const m = prepareModel(bytes, { verify: false, label: 'test' });
  await warmUpYielding(m);
  t.equal(found(m), 20_000, 'every id finds its index');
  t.equal(m.idTable.find(Buffer.from('movie+none'), 0, 10), -1, 'an unknown id finds nothing');
});

t.test('the id table asked while the pieces are still coming is whole', async (t) => {
  const m = prepareModel(bytes, { verify: false, label: 'test' });
  const warming = warmUpYielding(m);
  // A few turns later some pieces are in and the others are not.
  for (let turn = 0; turn < 3; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
  const last = parts.itemIds[19_999]!;
  t.equal(m.idTable.find(Buffer.from(last), 0, Buffer.byteLength(last)), 19_999, 'the last id, asked mid-way');
  await warming;
  t.equal(found(m), 20_000, 'after the rest of the warm-up');
});

t.test('the id map, built only when asked, is whole', async (t) => {
  const m = prepareModel(bytes, { verify: false, label: 'test' });
  await warmUpYielding(m);
  t.equal(m.itemIndex.size, 20_000);
  t.ok(
    parts.itemIds.every((id, i) => m.itemIndex.get(id) === i),
    'each id to its index',
  );
  t.equal(m.itemIndex, m.itemIndex, 'built once');
});

t.test("the popularity order built in pieces is one sort's, ties to the lower index", async (t) => {
  // Many ties (popularity in 0..49) across three pieces, and an odd number of them to merge.
  const r = (seed: number) => () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (const items of [20_000, 8_193, 5]) {
    const next = r(items);
    const tied = { ...modelParts({ id: 'mf-20261204T000000Z-000002', users: [1], items, factors: 4, seed: 6 }) };
    tied.popularity = Float32Array.from({ length: items }, () => Math.floor(next() * 50));
    const want = Array.from({ length: items }, (_, i) => i).sort(
      (a, b) => tied.popularity[b]! - tied.popularity[a]! || a - b,
    );
    const pieces = prepareModel(encodeArtifact(tied), { verify: false, label: 'test' });
    await warmUpYielding(pieces);
    t.same(Array.from(pieces.popular), want, `${items} items: after warm-up in pieces`);
    const midway = prepareModel(encodeArtifact(tied), { verify: false, label: 'test' });
    const warming = warmUpYielding(midway);
    await new Promise<void>((resolve) => setImmediate(resolve));
    const early = midway.popular;
    t.same(Array.from(early), want, `${items} items: asked mid-way`);
    await warming;
    t.equal(midway.popular, early, `${items} items: the pieces left change nothing`);
  }
});
