// Popularity models: the global baseline, and cold start by demographic
// segment (gender × age band from segmentKey, and occupation), Bayesian-smoothed
// toward the global popularity and recency-weighted.
//
// Signals: IMPLICIT for ranking (every watch or rating is one interaction,
// weighted by exp(−age / halfLife) so that what is watched now counts more,
// optionally times a trend factor: now against a slower half-life);
// EXPLICIT for predict(): the item's mean rating, shrunk toward the global mean.
import { segmentKey, type Dataset } from '../domain/dataset';
import { clampRating, type EpochHook, type Recommender, type ServingFactors } from './recommender';

export interface PopularityOptions {
  /** Days for an interaction's weight to halve (0: no decay). */
  halfLifeDays: number;
  /** Pseudo-interactions of global popularity mixed into each segment. */
  prior: number;
  /** Rank by the user's segment (cold start) instead of globally. */
  bySegment: boolean;
  /** Items kept per segment list in the artifact. */
  listLength: number;
  /**
   * Trend: days of the slower half-life that "now" is compared with (0: off).
   * Each score is multiplied by (now / before)^trendExponent, where now and
   * before are the item's weight at halfLifeDays and at trendHalfLifeDays (each
   * as a share of its largest), so titles on the rise outrank titles that are
   * merely big.
   */
  trendHalfLifeDays: number;
  trendExponent: number;
}

export const POPULARITY_DEFAULTS: PopularityOptions = {
  halfLifeDays: 14,
  prior: 50,
  bySegment: false,
  listLength: 200,
  trendHalfLifeDays: 0,
  trendExponent: 1,
};

/** Floor of both shares in the trend ratio: a title seen once lately is not a thousandfold riser. */
const TREND_FLOOR = 1e-3;

/** Per item, (now / before)^exponent over max-normalised recency-weighted masses (1 everywhere when off). */
export function trendFactors(ds: Dataset, now: Float64Array, o: PopularityOptions): Float64Array {
  const out = new Float64Array(now.length).fill(1);
  if (o.trendHalfLifeDays <= 0) return out;
  const before = globalWeights(ds, o.trendHalfLifeDays);
  const maxOf = (a: Float64Array) => a.reduce((m, x) => Math.max(m, x), 0) || 1;
  const mn = maxOf(now);
  const mb = maxOf(before);
  for (let i = 0; i < out.length; i++)
    out[i] = ((now[i]! / mn + TREND_FLOOR) / (before[i]! / mb + TREND_FLOOR)) ** o.trendExponent;
  return out;
}

export const GLOBAL_SEGMENT = '*';
export const occupationKey = (occupation: string | null | undefined): string => `occupation:${occupation ?? 'unknown'}`;

/** Recency-weighted interaction mass per item, globally and per segment key. */
export function segmentWeights(
  ds: Dataset,
  halfLifeDays: number,
): { global: Float64Array; segments: Map<string, Float64Array> } {
  const nI = ds.itemIds.length;
  const global = new Float64Array(nI);
  // Segment arrays are resolved once per user: a map lookup per event is too slow at 20M events.
  const byKey = new Map<string, Float64Array>();
  const arrayOf = (key: string): Float64Array => byKey.get(key) ?? byKey.set(key, new Float64Array(nI)).get(key)!;
  const userArrays = ds.users.map(
    (info) => [arrayOf(segmentKey(info)), arrayOf(occupationKey(info?.occupation))] as const,
  );
  const lambda = halfLifeDays > 0 ? Math.LN2 / (halfLifeDays * 86400_000) : 0;
  const to = ds.meta.to;
  const active = new Uint8Array(ds.users.length);
  const add = (u: number, i: number, t: number): void => {
    const w = lambda > 0 && Number.isFinite(t) ? Math.exp(-lambda * Math.max(0, to - t)) : 1;
    global[i]! += w;
    const arrays = userArrays[u];
    if (!arrays) return;
    arrays[0][i]! += w;
    arrays[1][i]! += w;
    active[u] = 1;
  };
  for (let n = 0; n < ds.ratings.user.length; n++) add(ds.ratings.user[n]!, ds.ratings.item[n]!, ds.ratings.time[n]!);
  for (let n = 0; n < ds.watches.user.length; n++) add(ds.watches.user[n]!, ds.watches.item[n]!, ds.watches.time[n]!);
  // Only segments with at least one interaction are segments.
  const touched = new Set<Float64Array>();
  userArrays.forEach((arrays, u) => {
    if (active[u]) touched.add(arrays[0]).add(arrays[1]);
  });
  const segments = new Map([...byKey].filter(([, a]) => touched.has(a)));
  return { global, segments };
}

/** Recency-weighted interaction mass per item, globally only. */
function globalWeights(ds: Dataset, halfLifeDays: number): Float64Array {
  const out = new Float64Array(ds.itemIds.length);
  const lambda = halfLifeDays > 0 ? Math.LN2 / (halfLifeDays * 86400_000) : 0;
  const to = ds.meta.to;
  const add = (i: number, t: number): void => {
    out[i]! += lambda > 0 && Number.isFinite(t) ? Math.exp(-lambda * Math.max(0, to - t)) : 1;
  };
  for (let n = 0; n < ds.ratings.item.length; n++) add(ds.ratings.item[n]!, ds.ratings.time[n]!);
  for (let n = 0; n < ds.watches.item.length; n++) add(ds.watches.item[n]!, ds.watches.time[n]!);
  return out;
}

/** Smoothed score of each item in a segment: (w_s(i) + prior·share(i)) / (W_s + prior). */
function smoothed(seg: Float64Array, global: Float64Array, globalTotal: number, prior: number): Float64Array {
  let total = 0;
  for (let i = 0; i < seg.length; i++) total += seg[i]!;
  const out = new Float64Array(seg.length);
  for (let i = 0; i < seg.length; i++) out[i] = (seg[i]! + (prior * global[i]!) / (globalTotal || 1)) / (total + prior);
  return out;
}

function topIndices(score: Float64Array, n: number): number[] {
  const idx = Array.from({ length: score.length }, (_, i) => i).filter((i) => score[i]! > 0);
  idx.sort((a, b) => score[b]! - score[a]! || a - b);
  return idx.slice(0, n);
}

/** Ranked cold-start lists per segment key (gender|age band, occupation:<x>, and '*' for everyone). */
export function segmentLists(ds: Dataset, opts: Partial<PopularityOptions> = {}): Record<string, number[]> {
  const o = { ...POPULARITY_DEFAULTS, ...opts };
  const { global, segments } = segmentWeights(ds, o.halfLifeDays);
  const trend = trendFactors(ds, global, o);
  let gTotal = 0;
  for (let i = 0; i < global.length; i++) gTotal += global[i]!;
  const out: Record<string, number[]> = {
    [GLOBAL_SEGMENT]: topIndices(
      global.map((x, i) => x * trend[i]!),
      o.listLength,
    ),
  };
  for (const [key, w] of [...segments].sort(([a], [b]) => (a < b ? -1 : 1)))
    out[key] = topIndices(
      smoothed(w, global, gTotal, o.prior).map((x, i) => x * trend[i]!),
      o.listLength,
    );
  return out;
}

export class Popularity implements Recommender {
  readonly kind: string;
  readonly opts: PopularityOptions;
  private global: Float64Array = new Float64Array(0);
  /** Global weights as shares of the total: the fallback for a user whose segment has no data. */
  private globalShare: Float64Array = new Float64Array(0);
  private bySegment = new Map<string, Float64Array>();
  private userSegment: string[] = [];
  private itemMean: Float32Array = new Float32Array(0);
  private ratingMax = 5;

  constructor(opts: Partial<PopularityOptions> = {}) {
    this.opts = { ...POPULARITY_DEFAULTS, ...opts };
    const trend = this.opts.trendHalfLifeDays > 0 ? 'trend-' : '';
    this.kind = `${trend}${this.opts.bySegment ? 'segment-popularity' : 'popularity'}`;
  }

  fit(ds: Dataset, onEpoch?: EpochHook): void {
    const { global: mass, segments } = segmentWeights(ds, this.opts.halfLifeDays);
    const trend = trendFactors(ds, mass, this.opts);
    let gTotal = 0;
    for (let i = 0; i < mass.length; i++) gTotal += mass[i]!;
    this.global = mass.map((x, i) => x * trend[i]!);
    this.globalShare = Float64Array.from(this.global, (w) => w / (gTotal || 1));
    this.bySegment.clear();
    if (this.opts.bySegment)
      for (const [key, w] of segments)
        if (!key.startsWith('occupation:'))
          this.bySegment.set(
            key,
            smoothed(w, mass, gTotal, this.opts.prior).map((x, i) => x * trend[i]!),
          );
    this.userSegment = ds.users.map(segmentKey);
    this.ratingMax = ds.ratingMax;
    this.itemMean = itemMeans(ds);
    onEpoch?.({ model: this.kind, epoch: 1, epochs: 1, loss: 0 });
  }

  /** Scores for a user known only by segment (cold start), e.g. one absent from training. */
  scoreSegment(key: string, out: Float32Array): void {
    const s = this.bySegment.get(key) ?? this.globalShare;
    for (let i = 0; i < out.length; i++) out[i] = s[i]!;
  }

  predict(_u: number, i: number): number {
    return clampRating(this.itemMean[i] ?? 0, this.ratingMax);
  }

  scoreAll(u: number, out: Float32Array): void {
    this.scoreSegment(this.opts.bySegment ? (this.userSegment[u] ?? GLOBAL_SEGMENT) : GLOBAL_SEGMENT, out);
  }

  /** Global recency-weighted popularity, normalised to a maximum of 1 (the artifact's fallback score). */
  popularity(): Float32Array {
    let max = 0;
    for (let i = 0; i < this.global.length; i++) max = Math.max(max, this.global[i]!);
    return Float32Array.from(this.global, (x) => (max > 0 ? x / max : 0));
  }

  /**
   * Global popularity serves as itemBias (shares of the total, as scoreAll) with zero factors; by segment, a user
   * vector is one-hot over segments and each item's factors are its smoothed
   * score in every segment, so dot(user, item) picks the user's segment column.
   */
  serving(): ServingFactors {
    const nI = this.global.length;
    const nU = this.userSegment.length;
    if (!this.opts.bySegment) {
      // The same scale as scoreAll: a blend calibrates its weights on scoreAll and serves this.
      return {
        factors: 1,
        globalMean: 0,
        userFactors: new Float32Array(nU),
        userBias: new Float32Array(nU),
        itemFactors: new Float32Array(nI),
        itemBias: Float32Array.from(this.globalShare),
      };
    }
    const keys = [...this.bySegment.keys()].sort();
    const k = keys.length + 1;
    const col = new Map(keys.map((key, c) => [key, c]));
    const userFactors = new Float32Array(nU * k);
    this.userSegment.forEach((key, u) => {
      userFactors[u * k + (col.get(key) ?? keys.length)] = 1;
    });
    const itemFactors = new Float32Array(nI * k);
    keys.forEach((key, c) => {
      const s = this.bySegment.get(key)!;
      for (let i = 0; i < nI; i++) itemFactors[i * k + c] = s[i]!;
    });
    for (let i = 0; i < nI; i++) itemFactors[i * k + keys.length] = this.globalShare[i]!;
    return {
      factors: k,
      globalMean: 0,
      userFactors,
      userBias: new Float32Array(nU),
      itemFactors,
      itemBias: new Float32Array(nI),
    };
  }

  hyperparameters(): Record<string, number | string | boolean> {
    return { ...this.opts };
  }
}

/** The global mean for every prediction; no ranking signal (scores all zero). */
export class GlobalMean implements Recommender {
  readonly kind = 'global-mean';
  private mu = 0;

  fit(ds: Dataset, onEpoch?: EpochHook): void {
    let s = 0;
    for (let n = 0; n < ds.ratings.value.length; n++) s += ds.ratings.value[n]!;
    this.mu = ds.ratings.value.length ? s / ds.ratings.value.length : (1 + ds.ratingMax) / 2;
    onEpoch?.({ model: this.kind, epoch: 1, epochs: 1, loss: 0 });
  }

  predict(): number {
    return this.mu;
  }

  scoreAll(_u: number, out: Float32Array): void {
    out.fill(0);
  }

  serving(): null {
    return null;
  }

  hyperparameters(): Record<string, number | string | boolean> {
    return {};
  }
}

/** Mean rating per item, shrunk toward the global mean by 5 pseudo-ratings. */
export function itemMeans(ds: Dataset): Float32Array {
  const nI = ds.itemIds.length;
  const sums = new Float64Array(nI);
  const counts = new Uint32Array(nI);
  let total = 0;
  const r = ds.ratings;
  for (let n = 0; n < r.value.length; n++) {
    sums[r.item[n]!]! += r.value[n]!;
    counts[r.item[n]!]!++;
    total += r.value[n]!;
  }
  const mu = r.value.length ? total / r.value.length : (1 + ds.ratingMax) / 2;
  return Float32Array.from(sums, (s, i) => (s + 5 * mu) / (counts[i]! + 5));
}
