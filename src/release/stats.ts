// The statistics of online comparisons, on per-user outcomes.
//
// The unit is the user, because users are what the router randomises: a
// user's answers are not independent of each other (the same taste, the same
// session), so a test on answers would count one heavy user many times and
// understate the variance. Each user contributes one number, their
// watch-from-list rate (hits / answers), and two arms are compared with
// Welch's t-test on those rates: unequal variances are the normal case here
// (a broken model's rates pile up at 0, a good one's spread out), and the
// per-user rate keeps the information that a two-proportion z on "users who
// converted" throws away (a user with 1 hit in 20 answers is not a user with
// 20 in 20).
//
// Two guards against peeking:
// - experiments use a FIXED HORIZON: the users per arm are fixed at start by
//   the power calculation below (or --min-users if larger), the status before
//   it is "not yet: N more users", and the test is made once both arms have
//   reached it; looking early cannot change the decision, so the false
//   positive rate is alpha.
// - the canary guard looks every few seconds, so it uses an ALWAYS-VALID test:
//   the mixture sequential probability ratio test (mSPRT, Johari, Pekelis and
//   Walsh 2017, "Always valid inference") on the difference of means with a
//   normal mixing distribution N(0, tau^2). With V the variance of the
//   estimated difference, Lambda = sqrt(V / (V + tau^2)) * exp(tau^2 d^2 / (2 V (V + tau^2)));
//   stopping the first time Lambda >= 1/alpha keeps the type I error <= alpha
//   however often it is checked.
import { normalCdf } from '../normal-cdf';

/** One user's count of answers (whose join window has closed) and of those followed by a watch from the list. */
export interface UserCounts {
  answers: number;
  hits: number;
}

export interface Summary {
  users: number;
  mean: number;
  /** Sample variance of the per-user rates (n - 1). */
  variance: number;
  answers: number;
  hits: number;
}

/**
 * Per-user watch-from-list rates of one arm, summarised. Users with no closed answer are left out. With `before`,
 * the summary of those users and the ones before them (a sequential test looking after every batch of users reads
 * each user once).
 */
export function summarise(users: Iterable<UserCounts>, before?: Summary): Summary {
  let n = before?.users ?? 0;
  let mean = before?.mean ?? 0;
  let m2 = before ? before.variance * Math.max(0, before.users - 1) : 0;
  let answers = before?.answers ?? 0;
  let hits = before?.hits ?? 0;
  for (const u of users) {
    if (u.answers <= 0) continue;
    const x = u.hits / u.answers;
    n++;
    // Welford: one pass, no catastrophic cancellation.
    const d = x - mean;
    mean += d / n;
    m2 += d * (x - mean);
    answers += u.answers;
    hits += u.hits;
  }
  return { users: n, mean, variance: n > 1 ? m2 / (n - 1) : 0, answers, hits };
}

/** Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1), got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

function logGamma(x: number): number {
  // Lanczos, g = 7.
  const g = [
    0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406,
    12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let s = g[0]!;
  for (let i = 1; i < 9; i++) s += g[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** Regularised incomplete beta I_x(a, b) by its continued fraction (Lentz). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x)) / a;
  const tiny = 1e-300;
  let f = 1;
  let c = 1;
  let d = 0;
  for (let i = 0; i <= 300; i++) {
    const m = Math.floor(i / 2);
    let num: number;
    if (i === 0) num = 1;
    else if (i % 2 === 0) num = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    else num = -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    d = 1 / d;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    const cd = c * d;
    f *= cd;
    if (Math.abs(1 - cd) < 1e-12) break;
  }
  return front * (f - 1);
}

/** Student's t CDF with `df` degrees of freedom (any positive real df, as Welch's are). */
export function studentCdf(t: number, df: number): number {
  if (!Number.isFinite(df) || df > 1e7) return normalCdf(t);
  const x = df / (df + t * t);
  const tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The t quantile by bisection on the CDF (used once per test, for the interval). */
export function studentQuantile(p: number, df: number): number {
  let lo = -1e3;
  let hi = 1e3;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (studentCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface WelchResult {
  /** b's mean rate minus a's. */
  diff: number;
  /** Two-sided confidence interval of diff at 1 - alpha. */
  ci: [number, number];
  t: number;
  df: number;
  /** Two-sided p-value. */
  p: number;
  /** Cohen's d on the average of the two variances. */
  cohensD: number;
}

/** Welch's two-sided t-test of b against a. Needs at least 2 users per arm. */
export function welch(a: Summary, b: Summary, alpha: number): WelchResult {
  const va = a.variance / a.users;
  const vb = b.variance / b.users;
  const se = Math.sqrt(va + vb);
  const diff = b.mean - a.mean;
  if (se === 0) {
    // Both arms constant: no spread to test against; equal means are no difference, unequal ones are certain.
    const p = diff === 0 ? 1 : 0;
    return {
      diff,
      ci: [diff, diff],
      t: diff === 0 ? 0 : Math.sign(diff) * Number.POSITIVE_INFINITY,
      df: a.users + b.users - 2,
      p,
      cohensD: 0,
    };
  }
  const t = diff / se;
  const df = (va + vb) ** 2 / (va ** 2 / (a.users - 1) + vb ** 2 / (b.users - 1));
  const p = 2 * (1 - studentCdf(Math.abs(t), df));
  const q = studentQuantile(1 - alpha / 2, df);
  const sd = Math.sqrt((a.variance + b.variance) / 2);
  return { diff, ci: [diff - q * se, diff + q * se], t, df, p, cohensD: sd > 0 ? diff / sd : 0 };
}

/**
 * Users per arm for a two-sided test at `alpha` to detect a difference of
 * `mde` (absolute, in watch-from-list rate) with probability `power`, when the
 * per-user rate has standard deviation `sd`:
 * n = 2 (z_{1-alpha/2} + z_{power})^2 sd^2 / mde^2 (normal approximation of
 * Welch's test, equal arms). With no measured sd, sqrt(p (1 - p)) at the
 * baseline rate p is an upper bound: a user's rate over several answers
 * varies less than a single answer's 0/1.
 */
export function usersPerArm(o: { alpha: number; power: number; mde: number; sd: number }): number {
  const z = normalQuantile(1 - o.alpha / 2) + normalQuantile(o.power);
  return Math.ceil((2 * z * z * o.sd * o.sd) / (o.mde * o.mde));
}

/** Power of the same test at `n` users per arm (the bench prints it beside the measured one). */
export function powerAt(o: { alpha: number; n: number; mde: number; sd: number }): number {
  const se = o.sd * Math.sqrt(2 / o.n);
  return normalCdf(o.mde / se - normalQuantile(1 - o.alpha / 2));
}

export interface Msprt {
  /** The mixture likelihood ratio; >= 1/alpha rejects equality. */
  lambda: number;
  diff: number;
  /** Always-valid confidence interval of diff at 1 - alpha (the set where Lambda < 1/alpha). */
  ci: [number, number];
  reject: boolean;
}

/**
 * mSPRT of b against a on the difference of per-user mean rates, normal
 * mixture N(0, tau^2); tau is the size of difference one expects (the
 * guard's configured minimum effect is a good choice).
 */
/** Pseudo-users of pooled variance in each arm's variance estimate of the mSPRT. */
export const MSPRT_PRIOR_USERS = 10;

export function msprt(a: Summary, b: Summary, alpha: number, tau: number): Msprt {
  const diff = b.mean - a.mean;
  // An arm of a few users says little about its variance (two users who both missed have variance 0, and made a
  // sound canary look certainly worse: Lambda 2e4 on 2 users): each arm's variance is shrunk towards the pooled
  // within-arm variance by MSPRT_PRIOR_USERS pseudo-users, which fades as the arm grows.
  const ma = a.variance * Math.max(a.users - 1, 0);
  const mb = b.variance * Math.max(b.users - 1, 0);
  const pooled = a.users + b.users > 2 ? (ma + mb) / (a.users + b.users - 2) : 0;
  const shrunk = (m: number, n: number): number =>
    (m + MSPRT_PRIOR_USERS * pooled) / (Math.max(n - 1, 0) + MSPRT_PRIOR_USERS);
  const v = Math.max(shrunk(ma, a.users) / Math.max(a.users, 1) + shrunk(mb, b.users) / Math.max(b.users, 1), 1e-12);
  const t2 = tau * tau;
  const lambda = Math.sqrt(v / (v + t2)) * Math.exp((t2 * diff * diff) / (2 * v * (v + t2)));
  // Lambda < 1/alpha  <=>  diff^2 < 2 v (v + t2) / t2 * (ln(1/alpha) - 0.5 ln(v / (v + t2))).
  const half = Math.sqrt(((2 * v * (v + t2)) / t2) * (Math.log(1 / alpha) - 0.5 * Math.log(v / (v + t2))));
  return { lambda, diff, ci: [diff - half, diff + half], reject: lambda >= 1 / alpha };
}

export type Verdict = 'a wins' | 'b wins' | 'no difference' | 'not yet';

export interface Decision {
  verdict: Verdict;
  /** Users still needed in the arm furthest from the horizon (0 once reached). */
  moreUsers: number;
  horizon: number;
  a: Summary;
  b: Summary;
  test: WelchResult | null;
  alpha: number;
  /** One line with the numbers. */
  text: string;
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
const pp = (x: number): string => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(2)} pp`;

/** The fixed-horizon decision: not before both arms have `horizon` users, then one Welch test at alpha. */
export function decide(a: Summary, b: Summary, o: { alpha: number; horizon: number }): Decision {
  const moreUsers = Math.max(0, o.horizon - a.users, o.horizon - b.users);
  if (moreUsers > 0 || a.users < 2 || b.users < 2) {
    return {
      verdict: 'not yet',
      moreUsers: Math.max(moreUsers, 2 - Math.min(a.users, b.users)),
      horizon: o.horizon,
      a,
      b,
      test: null,
      alpha: o.alpha,
      text:
        `not yet: ${moreUsers} more users per arm (horizon ${o.horizon}; a ${a.users} users ${pct(a.mean)}, ` +
        `b ${b.users} users ${pct(b.mean)})`,
    };
  }
  const test = welch(a, b, o.alpha);
  const verdict: Verdict = test.p >= o.alpha ? 'no difference' : test.diff > 0 ? 'b wins' : 'a wins';
  return {
    verdict,
    moreUsers: 0,
    horizon: o.horizon,
    a,
    b,
    test,
    alpha: o.alpha,
    text:
      `${verdict}: a ${pct(a.mean)} (${a.users} users), b ${pct(b.mean)} (${b.users} users), ` +
      `b - a ${pp(test.diff)}, ${100 * (1 - o.alpha)}% CI [${pp(test.ci[0])}, ${pp(test.ci[1])}], ` +
      `Welch t ${test.t.toFixed(2)} df ${test.df.toFixed(0)} p ${test.p.toPrecision(3)}, d ${test.cohensD.toFixed(3)}`,
  };
}
