// With real scoring workers answering stable and canary users continuously,
// a stable swap while the canary is live, a promotion (one flip) and a
// retirement each leave every request answered, by the model its role has.
import t from 'tap';
import { createScorer, type Role } from '../../src/scoring/scorer';
import { fillStore, writeModel } from '../helpers/scoring';

t.test('swap under a live canary, promote, retire: no request fails', async (t) => {
  const dir = t.testdir();
  const users = Array.from({ length: 30 }, (_, i) => ({ id: i + 1, info: null, seen: [i] }));
  await fillStore(dir, users);
  const spec = (id: string, seed: number) => ({ id, users: users.map((u) => u.id), items: 500, factors: 16, seed });
  const A = 'mf-20261201T000000Z-aaaaaa';
  const B = 'mf-20261202T000000Z-bbbbbb';
  const C = 'mf-20261203T000000Z-cccccc';
  const files = { A: writeModel(dir, spec(A, 1)), B: writeModel(dir, spec(B, 2)), C: writeModel(dir, spec(C, 3)) };
  const scorer = await createScorer({ dataDir: dir, threads: 2, listSize: 10, unknownAgeIsMinor: true });
  t.teardown(() => scorer.close());
  await scorer.loadModel(files.A, 'stable');
  await scorer.loadModel(files.B, 'canary');

  let failed = 0;
  const seen = new Map<Role, Set<string>>([
    ['stable', new Set()],
    ['canary', new Set()],
  ]);
  let running = true;
  let rounds = 0;
  // Steps wait for answered rounds, not for time: workers start at their first task.
  const twoRounds = async (): Promise<void> => {
    const until = rounds + 2;
    while (rounds < until) await new Promise((r) => setTimeout(r, 5));
  };
  const load = (async () => {
    while (running) {
      const batch = users.flatMap((u) =>
        (['stable', 'canary'] as Role[]).map((role) =>
          scorer.recommend(u.id, role).then(
            (r) => seen.get(role)!.add(r.modelId),
            () => failed++,
          ),
        ),
      );
      await Promise.all(batch);
      rounds++;
    }
  })();

  await twoRounds();
  t.same(
    await scorer.loadModel(files.C, 'stable').then((r) => r.modelId),
    C,
    'a new stable loads with the canary live',
  );
  t.equal(scorer.active('canary')?.modelId, B, 'the canary keeps its model');
  await twoRounds();
  t.same((await scorer.promote('canary')).modelId, B, 'the canary is promoted by a flip');
  t.equal(scorer.active('stable')?.modelId, B);
  t.equal(scorer.active('canary')?.modelId, B, 'canary users fall back to the promoted stable');
  await scorer.loadModel(files.A, 'canary');
  await twoRounds();
  await scorer.retire('canary');
  t.equal(scorer.active('canary')?.modelId, B, 'a retired canary falls back to stable');
  await twoRounds();
  running = false;
  await load;
  t.equal(failed, 0, 'no request failed across the swaps');
  t.same([...seen.get('stable')!].sort(), [A, B, C], 'stable users saw A, then C, then the promoted B');
  t.ok(seen.get('canary')!.has(B), 'canary users were answered by the canary');
});
