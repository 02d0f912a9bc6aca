// The scorer packs a model's item factors once into shared memory for every
// worker: the shared copy equals the kernels' own packing, a prepared model
// uses the copy it is handed, and a copy that does not fit the artifact is refused.
import t from 'tap';
import { packItems } from '../../native/index';
import { encodeArtifact } from '../../src/model/artifact';
import { packShared } from '../../src/scoring/pack-shared';
import { prepareModel, warmUp } from '../../src/scoring/prepared-model';
import { modelParts } from '../helpers/scoring';

// 1,100 items: 69 blocks, so the packing spans two event-loop turns and ends in a padded block.
const parts = modelParts({ id: 'mf-20261201T000000Z-000001', users: [1, 2, 3], items: 1100, factors: 12, seed: 3 });
const bytes = encodeArtifact(parts);

t.test('the shared copy equals packItems and lives in a SharedArrayBuffer', async (t) => {
  const m = prepareModel(bytes, { verify: true, label: 'test' });
  const shared = await packShared(m.view);
  t.ok(shared instanceof SharedArrayBuffer);
  t.same(Array.from(new Float32Array(shared)), Array.from(packItems(parts.itemFactors, 1100, 12)));
});

t.test('a prepared model scores with the copy it was handed, and packs its own only without one', async (t) => {
  const plain = prepareModel(bytes, { verify: false, label: 'test' });
  const given = new Float32Array(await packShared(plain.view));
  const m = prepareModel(bytes, { verify: false, label: 'test', packed: given });
  t.equal(m.packed, given, 'the handed copy, not a new one');
  t.not(plain.packed, given);
  t.same(Array.from(plain.packed), Array.from(given), 'its own packing is the same layout');
  t.equal(plain.packed, plain.packed, 'packed once, then kept');
});

t.test('a handed copy of the wrong size is refused as a model format error', async (t) => {
  t.throws(() => prepareModel(bytes, { verify: false, label: 'test', packed: new Float32Array(10) }), {
    code: 'MOVREC_ERR_MODEL_FORMAT',
    message: /packed item factors do not match/,
  });
});

t.test('the id index and popularity order are built once, on first use or by warmUp', async (t) => {
  const m = prepareModel(bytes, { verify: false, label: 'test' });
  warmUp(m);
  const index = m.itemIndex;
  t.equal(m.itemIndex, index, 'built once, then kept');
  t.equal(index.size, 1100);
  t.equal(index.get(parts.itemIds[7]!), 7);
  t.equal(m.popular, m.popular);
  // modelParts gives item i popularity items - i: the order is the index order.
  t.same(Array.from(m.popular.subarray(0, 5)), [0, 1, 2, 3, 4]);
});
