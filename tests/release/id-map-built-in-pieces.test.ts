// A scoring worker builds a model's id map in pieces between tasks
// (warmUpYielding), so no piece stalls answers for long: the map it ends with
// is the whole one, and reading it before the last piece completes it at once.
import t from 'tap';
import { encodeArtifact } from '../../src/model/artifact';
import { prepareModel, warmUpYielding } from '../../src/release/prepared-model';
import { modelParts } from '../helpers/scoring';

// 20,000 items: three pieces of the id map.
const parts = modelParts({ id: 'mf-20261204T000000Z-000001', users: [1, 2], items: 20_000, factors: 4, seed: 5 });
const bytes = encodeArtifact(parts);

/** What a whole map shows: every id, each mapped to its index. */
const WHOLE = { size: 20_000, eachToItsIndex: true };
const shape = (index: Map<string, number>) => ({ size: index.size, eachToItsIndex: parts.itemIds.every((id, i) => index.get(id) === i) });

t.test('warm-up in pieces ends with the whole id map', async (t) => {
  const m = prepareModel(bytes, { verify: false, label: 'test' });
  await warmUpYielding(m);
  t.same(shape(m.itemIndex), WHOLE, 'after warm-up');
});

t.test('the id map read while the pieces are still coming is whole', async (t) => {
  const m = prepareModel(bytes, { verify: false, label: 'test' });
  const warming = warmUpYielding(m);
  // One turn later the first piece is in and the others are not.
  await new Promise<void>((resolve) => setImmediate(resolve));
  const index = m.itemIndex;
  t.same(shape(index), WHOLE, 'read mid-way');
  await warming;
  t.equal(m.itemIndex, index, 'the pieces left change nothing: the same map');
  t.same(shape(m.itemIndex), WHOLE, 'after the rest of the warm-up');
});
