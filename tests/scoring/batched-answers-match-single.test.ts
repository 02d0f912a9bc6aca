// Requests that arrive together are scored in shared batches (one worker task,
// one kernel pass), yet every caller gets exactly its own answer: the same as
// asked alone, per role, with cold starts and minors mixed into the batch.
import t from 'tap';
import { createScorer } from '../../src/scoring/scorer';
import { expectedTop, fillStore, modelParts, writeModel, type ModelSpec, type UserSpec } from '../helpers/scoring';

const KNOWN = Array.from({ length: 60 }, (_, i) => i + 1);
const stableSpec: ModelSpec = {
  id: 'mf-20261122T040000Z-00000a',
  users: KNOWN,
  items: 400,
  factors: 24,
  seed: 5,
  adult: [0, 1, 2, 3],
  adultBoost: 3,
};
const canarySpec: ModelSpec = { ...stableSpec, id: 'mf-20261122T040000Z-00000b', seed: 6 };

// Adults, minors and unknown ages among the known users, each with its own history;
// users past 60 are unknown to the model (cold start).
const users: UserSpec[] = Array.from({ length: 80 }, (_, x) => ({
  id: x + 1,
  info: x % 3 === 0 ? null : { age: x % 3 === 1 ? 15 : 40, gender: 'F' as const, occupation: null },
  seen: [x % 400, (x * 7 + 3) % 400, (x * 13 + 5) % 400, (x * 29 + 11) % 400],
}));

t.test('concurrent requests batched together each get their own answer', async (t) => {
  const dir = t.testdir();
  await fillStore(dir, users);
  const scorer = await createScorer({ dataDir: dir, threads: 2, listSize: 10, unknownAgeIsMinor: true, batchSize: 16 });
  t.teardown(() => scorer.close());
  await scorer.loadModel(writeModel(dir, stableSpec), 'stable');
  await scorer.loadModel(writeModel(dir, canarySpec), 'canary');

  // Alone: one request at a time, so every task carries one user.
  const alone = [];
  for (const u of users) alone.push(await scorer.recommend(u.id, u.id % 2 === 0 ? 'canary' : 'stable'));
  // Together: all at once, so tasks carry up to 16 users of both roles.
  const together = await Promise.all(users.map((u) => scorer.recommend(u.id, u.id % 2 === 0 ? 'canary' : 'stable')));
  t.same(together, alone, 'the same answer for every caller');

  const stable = modelParts(stableSpec);
  const canary = modelParts(canarySpec);
  for (const [x, u] of users.entries()) {
    const r = together[x]!;
    const parts = u.id % 2 === 0 ? canary : stable;
    t.equal(r.modelId, parts.id, `user ${u.id} answered by its role's model`);
    if (u.id > KNOWN.length) {
      t.equal(r.source, 'cold-start', `user ${u.id} is unknown to the model`);
      continue;
    }
    t.equal(r.source, 'model');
    t.same(
      r.line.split(','),
      expectedTop(parts, u.id, u.seen, u.info === null || u.info.age! < 18, 10),
      `user ${u.id}: the kernel's ranking minus seen (and, for minors, adult) titles`,
    );
  }
});

t.test('a batch size outside 1.. is refused', async (t) => {
  await t.rejects(
    createScorer({ dataDir: t.testdir(), threads: 1, listSize: 10, unknownAgeIsMinor: true, batchSize: 0 }),
    { code: 'MOVREC_ERR_CONFIG', message: /batchSize must be a positive integer/ },
  );
});
