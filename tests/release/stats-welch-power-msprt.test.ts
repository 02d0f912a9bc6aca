// The statistics behind experiments and the canary: Welch's test agrees with
// scipy on a worked sample, the power formula gives the power it promises on
// generated samples, and the mSPRT stays under alpha when checked after every
// user on equal arms while it catches a planted difference. A summary continued
// batch by batch (as a sequential test reads its users) equals the whole one.
import t from 'tap';
import {
  decide,
  msprt,
  normalQuantile,
  powerAt,
  studentCdf,
  studentQuantile,
  summarise,
  usersPerArm,
  welch,
  type UserCounts,
} from '../../src/release/stats';
import { rng } from '../../src/model/rng';

// Per-user rates as users with 20 answers each, so rate = hits / 20.
const asUsers = (rates: number[]): UserCounts[] => rates.map((r) => ({ answers: 20, hits: Math.round(r * 20) }));

t.test('Welch matches scipy.stats.ttest_ind(equal_var=False) on a worked sample', async (t) => {
  const a = summarise(asUsers([0.1, 0.3, 0.0, 0.5, 0.2, 0.25, 0.4, 0.0, 0.15]));
  const b = summarise(asUsers([0.4, 0.6, 0.35, 0.2, 0.55, 0.7, 0.45, 0.5]));
  const r = welch(a, b, 0.05);
  // scipy 1.17: statistic 3.251474, p 0.005373, df 14.9847, CI [0.088733, 0.426545].
  t.ok(Math.abs(r.t - 3.251474) < 1e-5, `t ${r.t}`);
  t.ok(Math.abs(r.df - 14.984689) < 1e-4, `df ${r.df}`);
  t.ok(Math.abs(r.p - 0.005373084) < 1e-6, `p ${r.p}`);
  t.ok(Math.abs(r.ci[0] - 0.088733) < 1e-5 && Math.abs(r.ci[1] - 0.426545) < 1e-5, `ci ${r.ci}`);
  t.ok(Math.abs(studentCdf(2.228, 10) - 0.974994114) < 1e-7);
  t.ok(Math.abs(studentQuantile(0.975, 3.5) - 2.940088638) < 1e-6);
  t.ok(Math.abs(normalQuantile(0.975) - 1.959963985) < 1e-8);
});

/** Users with 1..10 answers, each a hit with probability p. */
function users(r: () => number, n: number, p: number): UserCounts[] {
  return Array.from({ length: n }, () => {
    const answers = 1 + Math.floor(r() * 10);
    let hits = 0;
    for (let i = 0; i < answers; i++) if (r() < p) hits++;
    return { answers, hits };
  });
}

t.test('a summary continued batch by batch equals the summary of all users at once', async (t) => {
  const r = rng(3);
  const all = users(r, 1000, 0.3);
  let running = summarise([]);
  for (let n = 0; n < all.length; n += 70) running = summarise(all.slice(n, n + 70), running);
  const whole = summarise(all);
  t.equal(running.users, whole.users);
  t.equal(running.answers, whole.answers);
  t.equal(running.hits, whole.hits);
  t.ok(Math.abs(running.mean - whole.mean) < 1e-12, `mean ${running.mean} vs ${whole.mean}`);
  t.ok(Math.abs(running.variance - whole.variance) < 1e-12, `variance ${running.variance} vs ${whole.variance}`);
  t.ok(whole.variance > 0, 'the sample has spread');
});

t.test('fixed horizon: A/A rejects about alpha of the time, A/B about the planned power', async (t) => {
  const r = rng(7);
  const alpha = 0.05;
  const pilot = summarise(users(r, 5000, 0.3));
  const mde = 0.05;
  const horizon = usersPerArm({ alpha, power: 0.8, mde, sd: Math.sqrt(pilot.variance) });
  t.ok(
    Math.abs(powerAt({ alpha, n: horizon, mde, sd: Math.sqrt(pilot.variance) }) - 0.8) < 0.01,
    'power formula inverts',
  );
  const K = 400;
  let falsePositives = 0;
  let detected = 0;
  for (let k = 0; k < K; k++) {
    const aa = decide(summarise(users(r, horizon, 0.3)), summarise(users(r, horizon, 0.3)), { alpha, horizon });
    if (aa.verdict !== 'no difference') falsePositives++;
    const ab = decide(summarise(users(r, horizon, 0.3)), summarise(users(r, horizon, 0.25)), { alpha, horizon });
    if (ab.verdict === 'a wins') detected++;
  }
  // Binomial sd at K = 400: 0.011 for alpha, 0.02 for power; bounds at about 3 sd.
  t.ok(falsePositives / K <= alpha + 0.035, `false positive rate ${falsePositives / K}`);
  t.ok(Math.abs(detected / K - 0.8) < 0.07, `power ${detected / K} against planned 0.8 at ${horizon} users per arm`);
  const early = decide(summarise(users(r, 10, 0.3)), summarise(users(r, 12, 0.3)), { alpha, horizon });
  t.equal(early.verdict, 'not yet');
  t.equal(early.moreUsers, horizon - 10, 'says how many more users');
  t.match(early.text, /^not yet: \d+ more users/);
});

t.test('mSPRT checked after every user: few false alarms on A/A, catches a broken arm', async (t) => {
  const r = rng(11);
  const alpha = 0.05;
  const tau = 0.05;
  const K = 100;
  const N = 600;
  let alarms = 0;
  let caught = 0;
  for (let k = 0; k < K; k++) {
    const a = users(r, N, 0.3);
    const b = users(r, N, 0.3);
    const broken = users(r, N, 0.02);
    let alarmed = false;
    let found = false;
    for (let n = 5; n <= N; n += 5) {
      const sa = summarise(a.slice(0, n));
      if (!alarmed && msprt(sa, summarise(b.slice(0, n)), alpha, tau).reject) alarmed = true;
      if (!found && msprt(sa, summarise(broken.slice(0, n)), alpha, tau).reject) found = true;
    }
    if (alarmed) alarms++;
    if (found) caught++;
  }
  t.ok(alarms / K <= alpha + 0.05, `A/A alarms under continuous monitoring: ${alarms}/${K}`);
  t.equal(caught, K, 'a broken arm is always caught within 600 users');
  const m = msprt(summarise(users(r, 400, 0.3)), summarise(users(r, 400, 0.1)), alpha, tau);
  t.ok(m.ci[0] < m.diff && m.diff < m.ci[1] && m.ci[1] < 0, `the always-valid interval excludes 0: ${m.ci}`);
});

t.test('the mSPRT does not take two constant users for certainty', async (t) => {
  // Seen on a sound canary: its first 2 users had both missed (variance 0) against 43 stable users at 44%.
  const stable = { users: 43, mean: 0.4419, variance: 0.25, answers: 43, hits: 19 };
  const canary = { users: 2, mean: 0, variance: 0, answers: 2, hits: 0 };
  t.equal(msprt(stable, canary, 0.05, 0.1).reject, false, 'two users decide nothing');
  const many = { users: 200, mean: 0.1, variance: 0.09, answers: 200, hits: 20 };
  t.equal(msprt(stable, many, 0.05, 0.1).reject, true, 'two hundred users at 10% against 44% do');
});
