// The router's arm for a user is a fixed function of the salt and the user id:
// the same in another process, equal to FNV-1a of `salt:userId` finalised, and
// it splits users in the planned shares.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { BUCKETS, bucket, Router, type RoutePlan } from '../../src/release/router';

/** The definition written out plainly, string and all, to check the allocation-free version against. */
function reference(salt: string, userId: number): number {
  let h = 0x811c9dc5;
  for (const ch of Buffer.from(`${salt}:${userId}`, 'utf8')) {
    h ^= ch;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % BUCKETS;
}

const IDS = [1, 7, 9, 10, 99, 100, 12345, 999_999, 1_000_000, 4_294_967_295, 9_999_999_999];

t.test('the bucket is FNV-1a of salt:userId, finalised', async (t) => {
  for (const salt of ['c-1a2b', 'exp-x'])
    for (const id of IDS) t.equal(bucket(salt, id), reference(salt, id), `${salt} ${id}`);
  let same = 0;
  for (let u = 1; u <= 1000; u++) if (bucket('s1', u) === bucket('s2', u)) same++;
  t.ok(same < 10, `another salt reshuffles users (${same} of 1000 kept their bucket)`);
});

t.test('another process gives every user the same bucket', async (t) => {
  const js = join(__dirname, '..', '..', 'dist', 'src', 'release', 'router.js');
  const out = execFileSync(process.execPath, [
    '-e',
    `const r = require(${JSON.stringify(js)}); console.log(JSON.stringify(${JSON.stringify(IDS)}.map((u) => ` +
      `r.bucket('salt-9', u))));`,
  ]).toString();
  t.same(
    JSON.parse(out),
    IDS.map((u) => bucket('salt-9', u)),
  );
});

t.test('shares follow the plan; the experiment and canary splits are independent', async (t) => {
  const plan: RoutePlan = {
    stableModelId: 'm-s',
    canary: { modelId: 'm-c', percent: 10, salt: 'canary-salt' },
    experiment: {
      name: 'e1',
      salt: 'exp-salt',
      arms: [
        { name: 'a', modelId: 'm-a', percent: 25, role: 'arm-a' },
        { name: 'b', modelId: 'm-b', percent: 25, role: 'arm-b' },
      ],
    },
  };
  const router = new Router(plan);
  const n = 200_000;
  const counts = new Map<string, number>();
  for (let u = 1; u <= n; u++) {
    const a = router.route(u);
    counts.set(a.arm, (counts.get(a.arm) ?? 0) + 1);
    if (u === 1) t.equal(router.route(1), a, 'the same user, the same arm');
  }
  const share = (arm: string) => (counts.get(arm) ?? 0) / n;
  // Binomial sd at n = 200k is about 0.001: 0.006 is six of them.
  t.ok(Math.abs(share('e1/a') - 0.25) < 0.006, `arm a ${share('e1/a')}`);
  t.ok(Math.abs(share('e1/b') - 0.25) < 0.006, `arm b ${share('e1/b')}`);
  t.ok(Math.abs(share('canary') - 0.05) < 0.006, `canary ${share('canary')}: 10% of the other half`);
  t.ok(Math.abs(share('stable') - 0.45) < 0.006, `stable ${share('stable')}`);
  router.set({ ...plan, experiment: null, canary: null });
  t.same(router.route(5), { role: 'stable', arm: 'stable', modelId: 'm-s' }, 'a new plan applies at once');
});
