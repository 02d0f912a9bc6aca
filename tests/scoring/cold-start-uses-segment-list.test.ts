// Users the model does not know, or with too little history, get their
// segment's list minus seen and (for minors) adult titles, padded by
// popularity; the degraded answer is the same list computed on the main thread.
import t from 'tap';
import { createScorer, type Recommendation } from '../../src/scoring/scorer';
import { MIN_HISTORY } from '../../src/scoring/rank';
import { fillStore, movieId, writeModel } from '../helpers/scoring';

/** The answer's fields, without the wire bytes. */
const plain = (r: Recommendation) => ({ line: r.line, modelId: r.modelId, generation: r.generation, source: r.source });

t.test('cold-start and degraded answers come from the segment list', async (t) => {
  const dir = t.testdir();
  await fillStore(dir, [
    { id: 500, info: { age: 16, gender: 'F', occupation: null }, seen: [41] },
    {
      id: 3,
      info: { age: 40, gender: 'M', occupation: null },
      seen: Array.from({ length: MIN_HISTORY - 1 }, (_, i) => 60 + i),
    },
    { id: 7, info: { age: 70, gender: 'F', occupation: 'programmer' }, seen: [] },
  ]);
  const file = writeModel(dir, {
    id: 'pop-20261122T000000Z-bbbbbb',
    users: [1, 2, 3],
    items: 80,
    adult: [0, 1, 2],
    segments: {
      'F|<18': [0, 40, 41, 42],
      'M|35-44': [60, 50, 51],
      'occupation:programmer': [70, 71],
      'occupation:unknown': [75],
      '*': [77, 78],
    },
  });
  const scorer = await createScorer({ dataDir: dir, threads: 1, listSize: 6, unknownAgeIsMinor: true });
  t.teardown(() => scorer.close());
  await t.rejects(scorer.recommend(500), { code: 'MOVREC_ERR_MODEL_NOT_LOADED' }, 'no model yet is a coded refusal');
  t.throws(() => scorer.degraded(500), { code: 'MOVREC_ERR_MODEL_NOT_LOADED' });
  t.equal(scorer.active(), null);
  await scorer.loadModel(file);

  // Segment order first (adult 0 and seen 41 dropped), then by popularity (index order here), skipping adults.
  const girl = await scorer.recommend(500);
  t.same(plain(girl), {
    line: [40, 42, 75, 77, 78, 3].map(movieId).join(','),
    modelId: 'pop-20261122T000000Z-bbbbbb',
    generation: 1,
    source: 'cold-start',
  });

  const elder = await scorer.recommend(7);
  t.same(
    elder.line.split(','),
    [70, 71, 77, 78, 0, 1].map(movieId),
    "no F|55+ list: the occupation list, then everyone's, then popularity (an adult: adult titles allowed)",
  );

  const thin = await scorer.recommend(3);
  t.equal(thin.source, 'cold-start', 'a known user with too little history is answered from the segment');
  t.same(
    thin.line.split(','),
    [50, 51, 75, 77, 78, 0].map(movieId),
    'adults may get adult titles; seen 60 dropped; then the occupation and global lists',
  );

  const stranger = await scorer.recommend(999_999, 'canary');
  t.equal(stranger.source, 'cold-start');
  t.same(
    stranger.line.split(','),
    [75, 77, 78, 3, 4, 5].map(movieId),
    'no catalog record: the unknown lists, then popularity, no adult titles',
  );

  const degraded = scorer.degraded(500);
  t.same(
    plain(degraded),
    { ...plain(girl), source: 'degraded' },
    'the degraded answer is the same segment list, unscored',
  );
  t.equal(Buffer.from(girl.body).toString('utf8'), girl.line, 'the bytes a worker sends are the line');
  t.equal(degraded.body, degraded.line);
  t.same(scorer.degraded(3).line.split(','), thin.line.split(','));
});
