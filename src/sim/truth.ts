// Ground truth from the planted tastes: utilities, true expected ratings, the oracle's top-K and the noise floor.
import { normalCdf } from '../normal-cdf';
import { Rng, searchCumulative } from './rng';
import type { World } from './world';

/** Whether this user's taste has drifted by simulated time `at` (ms). */
export function drifted(world: World, userIndex: number, at: number): boolean {
  const d = world.params.drift;
  if (!d || at < d.at) return false;
  // A fixed hash of the user picks the drifting share, independent of every other draw.
  const h = Math.imul(userIndex + 1, 0x9e3779b1) >>> 0;
  return h / 4294967296 < d.share;
}

const DRIFT_STRENGTH = 2.5;

/** Unrounded utility on the 1–5 scale: mean + user bias + movie bias + u·v (drift included). */
export function utility5(world: World, userIndex: number, movie: number, at = world.params.start): number {
  const K = world.params.factors;
  const uf = world.userFactors;
  const mf = world.movieFactors;
  const ur = userIndex * K;
  const mr = movie * K;
  let dot = 0;
  for (let f = 0; f < K; f++) dot += uf[ur + f]! * mf[mr + f]!;
  if (drifted(world, userIndex, at)) {
    const gr = world.params.drift!.genre * K;
    const gf = world.genreFactors;
    for (let f = 0; f < K; f++) dot += DRIFT_STRENGTH * gf[gr + f]! * mf[mr + f]!;
  }
  return world.params.mean + world.userBias[userIndex]! + world.movieBias[movie]! + dot;
}

/** The 1–5 utility carried to the world's rating scale (1..ratingMax). */
export function toScale(world: World, x5: number): number {
  return 1 + ((x5 - 1) * (world.params.ratingMax - 1)) / 4;
}

export function noiseSdOnScale(world: World): number {
  return (world.params.noiseSd * (world.params.ratingMax - 1)) / 4;
}

/** A rating as the user gives it: clamp(round(utility + noise)). */
export function observedRating(world: World, userIndex: number, movie: number, at: number, rng: Rng): number {
  const x = toScale(world, utility5(world, userIndex, movie, at)) + rng.normal() * noiseSdOnScale(world);
  return Math.max(1, Math.min(world.params.ratingMax, Math.round(x)));
}

/** Mean and variance of clamp(round(x + N(0, sd))) on 1..max. */
function roundedMoments(x: number, sd: number, max: number): { mean: number; variance: number } {
  let mean = 0;
  let second = 0;
  let below = 0;
  for (let k = 1; k <= max; k++) {
    const upTo = k === max ? 1 : normalCdf((k + 0.5 - x) / sd);
    const p = upTo - below;
    below = upTo;
    mean += k * p;
    second += k * k * p;
  }
  return { mean, variance: Math.max(0, second - mean * mean) };
}

function userIndexOf(world: World, userId: number): number {
  if (!Number.isInteger(userId) || userId < 1 || userId > world.params.users)
    throw new RangeError(`unknown user ${userId}`);
  return userId - 1;
}

function movieIndexOf(world: World, movieId: string): number {
  const m = world.movieIndex.get(movieId);
  if (m === undefined) throw new RangeError(`unknown movie ${movieId}`);
  return m;
}

/** The true expected rating of a pair: E[clamp(round(utility + noise))] on the world's scale. */
export function trueRating(world: World, userId: number, movieId: string, at = world.params.start): number {
  const x = toScale(world, utility5(world, userIndexOf(world, userId), movieIndexOf(world, movieId), at));
  return roundedMoments(x, noiseSdOnScale(world), world.params.ratingMax).mean;
}

/** Whether the user is a minor: adult titles are never for them. */
export function isMinorUser(world: World, userIndex: number): boolean {
  return world.userAge[userIndex]! < 18;
}

/**
 * The best k movies for the user by true utility at simulated time `at`, leaving out
 * `exclude` (what they watched) and, for minors, adult titles.
 */
export function oracleTopK(
  world: World,
  userId: number,
  k: number,
  exclude?: Set<string>,
  at = world.params.start,
): string[] {
  const u = userIndexOf(world, userId);
  const idx = oracleIndices(world, u, k, exclude ? (m) => exclude.has(world.movieIds[m]!) : undefined, at);
  return idx.map((m) => world.movieIds[m]!);
}

/** oracleTopK on internal indices, with an exclusion predicate. */
export function oracleIndices(
  world: World,
  userIndex: number,
  k: number,
  skip: ((movie: number) => boolean) | undefined,
  at: number,
): number[] {
  const minor = isMinorUser(world, userIndex);
  const bestScore = new Float64Array(k).fill(-Infinity);
  const bestIdx = new Int32Array(k).fill(-1);
  const M = world.params.movies;
  for (let m = 0; m < M; m++) {
    if (minor && world.movieAdult[m]) continue;
    const s = utility5(world, userIndex, m, at);
    if (s <= bestScore[k - 1]!) continue;
    if (skip?.(m)) continue;
    let j = k - 1;
    while (j > 0 && bestScore[j - 1]! < s) {
      bestScore[j] = bestScore[j - 1]!;
      bestIdx[j] = bestIdx[j - 1]!;
      j--;
    }
    bestScore[j] = s;
    bestIdx[j] = m;
  }
  const out: number[] = [];
  for (let j = 0; j < k; j++) if (bestIdx[j]! >= 0) out.push(bestIdx[j]!);
  return out;
}

/** Cumulative popularity over movies, for drawing movies the way users find them on their own. */
export function popularityCumulative(world: World): Float64Array {
  const c = new Float64Array(world.params.movies);
  let total = 0;
  for (let m = 0; m < c.length; m++) {
    total += world.moviePopularity[m]!;
    c[m] = total;
  }
  return c;
}

/**
 * The noise floor: the RMSE of predicting each rating by its pair's true expected rating.
 * Over `pairs` (user id, movie id, optional simulated time) when given: the floor of that very
 * test set. Otherwise over pairs drawn uniformly by user and by popularity for movies; watched
 * pairs lean to liked movies, whose ratings crowd at the top of the scale and vary less.
 */
export function noiseFloorRmse(
  world: World,
  pairs?: Iterable<readonly [userId: number, movieId: string, at?: number]>,
): number {
  const sd = noiseSdOnScale(world);
  const max = world.params.ratingMax;
  let sum = 0;
  let n = 0;
  if (pairs) {
    for (const [userId, movieId, at] of pairs) {
      sum += roundedMoments(
        toScale(
          world,
          utility5(world, userIndexOf(world, userId), movieIndexOf(world, movieId), at ?? world.params.start),
        ),
        sd,
        max,
      ).variance;
      n++;
    }
    return n === 0 ? 0 : Math.sqrt(sum / n);
  }
  const rng = new Rng(world.params.seed, 99);
  const pop = popularityCumulative(world);
  const total = pop[pop.length - 1]!;
  for (n = 0; n < 20000; n++) {
    const u = rng.int(world.params.users);
    const m = searchCumulative(pop, rng.next() * total);
    sum += roundedMoments(toScale(world, utility5(world, u, m)), sd, max).variance;
  }
  return Math.sqrt(sum / n);
}
