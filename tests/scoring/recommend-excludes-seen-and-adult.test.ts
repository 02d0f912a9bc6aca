// A scored answer never holds a title the user has seen, never an adult title
// for a minor (or a user of unknown age), and otherwise follows the kernel's ranking.
import t from 'tap';
import { createScorer } from '../../src/scoring/scorer';
import { expectedTop, fillStore, modelParts, movieId, writeModel, type ModelSpec } from '../helpers/scoring';

const ADULT = Array.from({ length: 30 }, (_, i) => i);
const spec: ModelSpec = {
  id: 'mf-20261122T000000Z-aaaaaa',
  users: Array.from({ length: 50 }, (_, i) => i + 1),
  items: 300,
  adult: ADULT,
  adultBoost: 5,
};

t.test('seen titles and adult titles for minors are filtered inside the ranking', async (t) => {
  const dir = t.testdir();
  const parts = modelParts(spec);
  // The adult user's five best titles are the ones they have already watched.
  const seenByAdult = expectedTop(parts, 10, [], false, 5).map((id) => parts.itemIds.indexOf(id));
  const seenByMinor = [30, 31, 32, 33, ...expectedTop(parts, 11, [], true, 3).map((id) => parts.itemIds.indexOf(id))];
  await fillStore(dir, [
    { id: 10, info: { age: 30, gender: 'M', occupation: 'writer' }, seen: seenByAdult },
    { id: 11, info: { age: 15, gender: 'F', occupation: 'K-12 student' }, seen: seenByMinor },
    { id: 12, info: null, seen: [40, 41, 42, 43] },
  ]);
  const file = writeModel(dir, spec);
  const scorer = await createScorer({ dataDir: dir, threads: 1, listSize: 20, unknownAgeIsMinor: true });
  t.teardown(() => scorer.close());
  await scorer.loadModel(file);

  const adult = await scorer.recommend(10);
  t.equal(adult.source, 'model');
  t.equal(adult.modelId, spec.id);
  t.same(adult.line.split(','), expectedTop(parts, 10, seenByAdult, false, 20), 'the kernel ranking minus seen titles');
  t.notOk(
    adult.line.split(',').some((id) => seenByAdult.map(movieId).includes(id)),
    'no seen title',
  );
  t.ok(
    adult.line.split(',').some((id) => ADULT.map(movieId).includes(id)),
    'adults do see boosted adult titles',
  );

  const minor = await scorer.recommend(11);
  t.equal(minor.line.split(',').length, 20);
  t.same(minor.line.split(','), expectedTop(parts, 11, seenByMinor, true, 20));
  t.notOk(
    minor.line.split(',').some((id) => ADULT.map(movieId).includes(id)),
    'no adult title for a minor',
  );
  t.notOk(
    minor.line.split(',').some((id) => seenByMinor.map(movieId).includes(id)),
    'no seen title for a minor',
  );

  const unknownAge = await scorer.recommend(12);
  t.equal(unknownAge.source, 'model');
  t.notOk(
    unknownAge.line.split(',').some((id) => ADULT.map(movieId).includes(id)),
    'an unknown age counts as a minor',
  );
  t.same(unknownAge.line.split(','), expectedTop(parts, 12, [40, 41, 42, 43], true, 20));
});

t.test('an unknown age counts as adult when configured so', async (t) => {
  const dir = t.testdir();
  const parts = modelParts(spec);
  await fillStore(dir, [{ id: 12, info: null, seen: [40, 41, 42, 43] }]);
  const scorer = await createScorer({ dataDir: dir, threads: 1, listSize: 20, unknownAgeIsMinor: false });
  t.teardown(() => scorer.close());
  await scorer.loadModel(writeModel(dir, spec));
  const r = await scorer.recommend(12);
  t.same(r.line.split(','), expectedTop(parts, 12, [40, 41, 42, 43], false, 20));
  t.ok(r.line.split(',').some((id) => ADULT.map(movieId).includes(id)));
});
