// The guard's verdict on generated arms: errors, p99 latency and the online
// test each roll a canary back with a reason naming the figures; a healthy
// canary waits for its minimum of answers and users, then is promoted.
import t from 'tap';
import { ArmHealth } from '../../src/release/arm-stats';
import { judge, type GuardSettings } from '../../src/release/canary-guard';
import type { UserOutcome } from '../../src/telemetry/outcomes';

const settings: GuardSettings = {
  minAnswers: 1000,
  minUsers: 200,
  minHealthAnswers: 100,
  maxErrorRateIncrease: 0.01,
  p99Ratio: 2,
  p99SlackMs: 5,
  alpha: 0.05,
  minEffect: 0.05,
};

function health(answers: number, errorEvery: number, ms: (i: number) => number): ArmHealth {
  const h = new ArmHealth();
  for (let i = 0; i < answers; i++) h.observe(ms(i), errorEvery > 0 && i % errorEvery === 0);
  return h;
}

/** n users with 3 answers each; user i hits on answer j when (i + j) % 10 < 10 * rate. */
function users(n: number, rate: number): Map<number, UserOutcome> {
  const m = new Map<number, UserOutcome>();
  for (let i = 0; i < n; i++) {
    let hits = 0;
    for (let j = 0; j < 3; j++) if ((i * 7 + j * 3) % 10 < 10 * rate) hits++;
    m.set(i + 1, { answers: 3, hits });
  }
  return m;
}

t.test('each regression rolls back, with its figures in the reason', async (t) => {
  const fast = (i: number) => 1 + (i % 10) / 10;
  const stable = health(2000, 0, fast);
  const errors = judge(
    { stable, canary: health(200, 10, fast), stableUsers: users(50, 0.5), canaryUsers: users(50, 0.5) },
    settings,
  );
  t.equal(errors.action, 'rollback');
  t.equal(errors.check, 'errors');
  t.match(errors.reason, /error rate 10\.00% over 200 answers against stable's 0\.00%/);

  const slow = judge(
    { stable, canary: health(1200, 0, (i) => (i % 20 === 0 ? 80 : 1)), stableUsers: new Map(), canaryUsers: new Map() },
    settings,
  );
  t.equal(slow.check, 'latency', slow.reason);
  t.match(slow.reason, /p99 latency [\d.]+ ms against stable's [\d.]+ ms \(limit [\d.]+ ms\)/);

  const worse = judge(
    { stable, canary: health(500, 0, fast), stableUsers: users(400, 0.6), canaryUsers: users(400, 0.2) },
    settings,
  );
  t.equal(worse.check, 'online', worse.reason);
  t.match(worse.reason, /watch-from-list 20\.00% \(400 users\) vs stable 60\.00% \(400 users\)/);
  t.ok(worse.figures.test!.ci[1] < 0, 'the always-valid interval is below 0');

  const fewSlow = judge(
    { stable, canary: health(500, 0, (i) => (i % 20 === 0 ? 80 : 1)), stableUsers: new Map(), canaryUsers: new Map() },
    settings,
  );
  t.equal(fewSlow.action, 'wait', 'a p99 over fewer than 1000 answers is not judged');
  const few = judge({ stable, canary: health(50, 2, fast), stableUsers: new Map(), canaryUsers: new Map() }, settings);
  t.equal(few.action, 'wait', 'errors among too few answers are not yet judged');
});

t.test('a healthy canary waits, then is promoted', async (t) => {
  const stable = health(5000, 0, () => 2);
  const early = judge(
    { stable, canary: health(600, 0, () => 2), stableUsers: users(300, 0.5), canaryUsers: users(300, 0.5) },
    settings,
  );
  t.equal(early.action, 'wait');
  t.match(early.reason, /^600\/1000 answers/);
  const ready = judge(
    { stable, canary: health(1200, 0, () => 2), stableUsers: users(300, 0.5), canaryUsers: users(300, 0.5) },
    settings,
  );
  t.equal(ready.action, 'promote');
  t.match(ready.reason, /^no regression after 1200 answers/);
  const better = judge(
    { stable, canary: health(1200, 0, () => 2), stableUsers: users(300, 0.3), canaryUsers: users(300, 0.7) },
    settings,
  );
  t.equal(better.action, 'promote', 'a canary better than stable is promoted, not rolled back');
});
