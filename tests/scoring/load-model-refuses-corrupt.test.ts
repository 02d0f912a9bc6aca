// loadModel verifies before it flips: a corrupt, incompatible or missing
// artifact is refused with a coded error and the current model keeps serving.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createScorer } from '../../src/scoring/scorer';
import { corruptCopy, fillStore, writeModel } from '../helpers/scoring';

t.test('a good model loads, a corrupt one is refused and the old one keeps answering', async (t) => {
  const dir = t.testdir();
  await fillStore(dir, [{ id: 7, info: { age: 33, gender: 'F', occupation: null }, seen: [1, 2, 3, 4] }]);
  const goodA = writeModel(dir, { id: 'mf-20261122T010000Z-000001', users: [7], items: 120, seed: 1 });
  const goodB = writeModel(dir, { id: 'mf-20261122T020000Z-000002', users: [7], items: 120, seed: 2 });
  const scorer = await createScorer({ dataDir: dir, threads: 2, listSize: 10, unknownAgeIsMinor: true });
  t.teardown(() => scorer.close());

  t.same(await scorer.loadModel(goodA), { modelId: 'mf-20261122T010000Z-000001', generation: 1 });
  const before = await scorer.recommend(7);
  t.equal(before.modelId, 'mf-20261122T010000Z-000001');

  const corrupt = corruptCopy(readFileSync(goodB), join(dir, 'corrupt.bin'));
  await t.rejects(scorer.loadModel(corrupt), { code: 'MOVREC_ERR_MODEL_CHECKSUM', message: /checksum mismatch/ });
  const version = Buffer.from(readFileSync(goodB));
  version.writeUInt32LE(99, 8);
  writeFileSync(join(dir, 'future.bin'), version);
  await t.rejects(scorer.loadModel(join(dir, 'future.bin')), {
    code: 'MOVREC_ERR_MODEL_FORMAT',
    message: /format version 99/,
  });
  await t.rejects(scorer.loadModel(join(dir, 'missing.bin')), { code: 'MOVREC_ERR_MODEL_NOT_FOUND' });

  t.same(scorer.active(), { modelId: 'mf-20261122T010000Z-000001', generation: 1 }, 'nothing flipped');
  for (let i = 0; i < 4; i++)
    t.same(await scorer.recommend(7), before, 'every worker still answers from the old model');

  const flipped = await scorer.loadModel(goodB);
  t.same(flipped, { modelId: 'mf-20261122T020000Z-000002', generation: 2 });
  const after = await scorer.recommend(7);
  t.equal(after.modelId, 'mf-20261122T020000Z-000002');
  t.equal(after.generation, 2);
  t.not(after.line.split(',').join(), before.line.split(',').join(), 'the new factors rank differently');
});

t.test('stable and canary serve different models at once', async (t) => {
  const dir = t.testdir();
  await fillStore(dir, [{ id: 7, info: null, seen: [1, 2, 3, 4] }]);
  const a = writeModel(dir, { id: 'mf-20261122T010000Z-00000a', users: [7], items: 60, seed: 3 });
  const b = writeModel(dir, { id: 'mf-20261122T010000Z-00000b', users: [7], items: 60, seed: 4 });
  const c = writeModel(dir, { id: 'mf-20261122T010000Z-00000c', users: [7], items: 60, seed: 5 });
  const scorer = await createScorer({ dataDir: dir, threads: 1, listSize: 5, unknownAgeIsMinor: true });
  t.teardown(() => scorer.close());
  await scorer.loadModel(a);
  t.same(scorer.active('canary'), scorer.active('stable'), 'without a canary the canary arm is served by stable');
  await scorer.loadModel(b, 'canary');
  t.equal((await scorer.recommend(7, 'stable')).modelId, 'mf-20261122T010000Z-00000a');
  t.equal((await scorer.recommend(7, 'canary')).modelId, 'mf-20261122T010000Z-00000b');
  await scorer.loadModel(c);
  t.equal(
    (await scorer.recommend(7)).modelId,
    'mf-20261122T010000Z-00000c',
    'the third slot takes the next stable model',
  );
  t.equal((await scorer.recommend(7, 'canary')).modelId, 'mf-20261122T010000Z-00000b', 'the canary is untouched');
  t.equal(scorer.active('canary')?.generation, 2);
});
