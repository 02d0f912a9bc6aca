// Offline evaluation of one fitted model on a test split: rating error,
// top-K ranking quality, catalog coverage, novelty, adult titles shown to
// minors, overall and per demographic group with counts.
import { ageBand, isMinor, type Dataset, type UserInfo } from '../domain/dataset';
import { interactions } from '../model/interactions';
import type { Recommender } from '../model/recommender';
import { rng, shuffle } from '../model/rng';

export interface RankMetrics {
  users: number;
  recall: number;
  ndcg: number;
  hitRate: number;
  map: number;
}

export interface GroupMetrics extends RankMetrics {
  ratings: number;
  rmse: number | null;
  mae: number | null;
}

export interface EvalResult extends GroupMetrics {
  model: string;
  k: number;
  coverage: number;
  novelty: number;
  /** Share of the titles recommended to minors that are adult; serving filters them, so anything above 0 is a bug. */
  adultToMinors: number;
  minorsServed: number;
  groups: Record<string, GroupMetrics>;
}

export interface EvalOptions {
  k: number;
  /** Ranking is measured on at most this many test users (seeded sample); 0: all. */
  maxUsers: number;
  seed: number;
  unknownAgeIsMinor: boolean;
  groups: boolean;
}

export const EVAL_DEFAULTS: EvalOptions = { k: 20, maxUsers: 2000, seed: 7, unknownAgeIsMinor: true, groups: true };

class Acc {
  users = 0;
  recall = 0;
  ndcg = 0;
  hit = 0;
  ap = 0;
  ratings = 0;
  se = 0;
  ae = 0;
  result(): GroupMetrics {
    const u = this.users || 1;
    return {
      users: this.users,
      recall: this.recall / u,
      ndcg: this.ndcg / u,
      hitRate: this.hit / u,
      map: this.ap / u,
      ratings: this.ratings,
      rmse: this.ratings ? Math.sqrt(this.se / this.ratings) : null,
      mae: this.ratings ? this.ae / this.ratings : null,
    };
  }
}

/** Group keys of a user: each attribute alone and every pair of them. */
export function groupKeys(info: UserInfo | null): string[] {
  const g = `gender=${info?.gender ?? 'unknown'}`;
  const a = `age=${ageBand(info?.age ?? null)}`;
  const o = `occupation=${info?.occupation ?? 'unknown'}`;
  return [g, a, o, `${g}&${a}`, `${g}&${o}`, `${a}&${o}`, `${g}&${a}&${o}`];
}

/** Indices of the k highest scores, best first, skipping excluded items. */
export function topK(scores: Float32Array, k: number, skip: (i: number) => boolean): number[] {
  const idx: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (idx.length === k && s <= val[k - 1]!) continue;
    if (skip(i)) continue;
    let p = idx.length === k ? k - 1 : idx.length;
    while (p > 0 && val[p - 1]! < s) {
      if (p < k) {
        idx[p] = idx[p - 1]!;
        val[p] = val[p - 1]!;
      }
      p--;
    }
    idx[p] = i;
    val[p] = s;
  }
  return idx;
}

export function evaluate(
  model: Recommender,
  train: Dataset,
  test: Dataset,
  opts: Partial<EvalOptions> = {},
): EvalResult {
  const o = { ...EVAL_DEFAULTS, ...opts };
  const K = o.k;
  const nI = train.itemIds.length;
  const nU = train.userIds.length;
  const overall = new Acc();
  const groups = new Map<string, Acc>();
  const acc = (u: number): Acc[] => {
    if (!o.groups) return [overall];
    return [
      overall,
      ...groupKeys(train.users[u] ?? null).map((key) => groups.get(key) ?? groups.set(key, new Acc()).get(key)!),
    ];
  };
  const tr = test.ratings;
  for (let n = 0; n < (model.predictsRatings === false ? 0 : tr.value.length); n++) {
    const u = tr.user[n]!;
    const err = model.predict(u, tr.item[n]!) - tr.value[n]!;
    for (const a of acc(u)) {
      a.ratings++;
      a.se += err * err;
      a.ae += Math.abs(err);
    }
  }
  const trainM = interactions(train);
  const testM = interactions(test);
  const pop = new Float64Array(nI);
  for (let n = 0; n < trainM.byItem.indptr.length - 1; n++)
    pop[n] = trainM.byItem.indptr[n + 1]! - trainM.byItem.indptr[n]!;
  // Warm users only: a user with no training history is the cold-start model's job.
  const candidates: number[] = [];
  for (let u = 0; u < nU; u++) {
    const hasTest = testM.byUser.indptr[u + 1]! > testM.byUser.indptr[u]!;
    const hasTrain = trainM.byUser.indptr[u + 1]! > trainM.byUser.indptr[u]!;
    if (hasTest && hasTrain) candidates.push(u);
  }
  let users = Uint32Array.from(candidates);
  if (o.maxUsers > 0 && users.length > o.maxUsers) users = shuffle(users, rng(o.seed)).slice(0, o.maxUsers).sort();
  const scores = new Float32Array(nI);
  const recommended = new Uint8Array(nI);
  let noveltySum = 0;
  let recs = 0;
  let minorRecs = 0;
  let minorAdult = 0;
  let minorsServed = 0;
  const seen = new Uint8Array(nI);
  const relevant = new Uint8Array(nI);
  for (const u of users) {
    const minor = isMinor(train.users[u] ?? null, o.unknownAgeIsMinor);
    const hs = trainM.byUser.indptr[u]!;
    const he = trainM.byUser.indptr[u + 1]!;
    for (let n = hs; n < he; n++) seen[trainM.byUser.indices[n]!] = 1;
    let nRel = 0;
    for (let n = testM.byUser.indptr[u]!; n < testM.byUser.indptr[u + 1]!; n++) {
      const i = testM.byUser.indices[n]!;
      if (!seen[i]) (relevant[i] = 1), nRel++;
    }
    if (nRel > 0) {
      model.scoreAll(u, scores);
      // The serving filters: nothing already seen, no adult titles for minors.
      const top = topK(scores, K, (i) => seen[i] === 1 || (minor && train.adult[i] === 1));
      let hits = 0;
      let dcg = 0;
      let ap = 0;
      top.forEach((i, rank) => {
        recommended[i] = 1;
        noveltySum += -Math.log2(Math.max(pop[i]!, 1) / Math.max(nU, 1));
        recs++;
        if (minor) {
          minorRecs++;
          if (train.adult[i]) minorAdult++;
        }
        if (relevant[i]) {
          hits++;
          dcg += 1 / Math.log2(rank + 2);
          ap += hits / (rank + 1);
        }
      });
      if (minor) minorsServed++;
      let idcg = 0;
      for (let r = 0; r < Math.min(nRel, K); r++) idcg += 1 / Math.log2(r + 2);
      for (const a of acc(u)) {
        a.users++;
        a.recall += hits / nRel;
        a.ndcg += dcg / idcg;
        a.hit += hits > 0 ? 1 : 0;
        a.ap += ap / Math.min(nRel, K);
      }
    }
    for (let n = hs; n < he; n++) seen[trainM.byUser.indices[n]!] = 0;
    for (let n = testM.byUser.indptr[u]!; n < testM.byUser.indptr[u + 1]!; n++) relevant[testM.byUser.indices[n]!] = 0;
  }
  let covered = 0;
  for (let i = 0; i < nI; i++) covered += recommended[i]!;
  return {
    model: model.kind,
    k: K,
    ...overall.result(),
    coverage: nI ? covered / nI : 0,
    novelty: recs ? noveltySum / recs : 0,
    adultToMinors: minorRecs ? minorAdult / minorRecs : 0,
    minorsServed,
    groups: Object.fromEntries([...groups].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, a]) => [key, a.result()])),
  };
}

/** Averages results of the same model over folds (counts are summed). */
export function averageResults(rs: EvalResult[]): EvalResult {
  const first = rs[0]!;
  const mean = (f: (r: EvalResult) => number | null): number | null => {
    const xs = rs.map(f).filter((x): x is number => x !== null);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
  };
  const num = (f: (r: EvalResult) => number): number => mean(f) ?? 0;
  return {
    ...first,
    users: rs.reduce((a, r) => a + r.users, 0),
    ratings: rs.reduce((a, r) => a + r.ratings, 0),
    rmse: mean((r) => r.rmse),
    mae: mean((r) => r.mae),
    recall: num((r) => r.recall),
    ndcg: num((r) => r.ndcg),
    hitRate: num((r) => r.hitRate),
    map: num((r) => r.map),
    coverage: num((r) => r.coverage),
    novelty: num((r) => r.novelty),
    adultToMinors: Math.max(...rs.map((r) => r.adultToMinors)),
    minorsServed: rs.reduce((a, r) => a + r.minorsServed, 0),
    groups: {},
  };
}
