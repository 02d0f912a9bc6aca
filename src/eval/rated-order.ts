// How well a model's ranking agrees with what users said of titles they went on
// to watch: per user, the share of held-out rated pairs with different ratings
// that the scores order the same way (ties in score count half), averaged over
// warm users. Which titles were watched comes from exposure (what was popular,
// what was listed); how the watched ones were rated does not, so this measures
// the ordering by liking that a user choosing from a list responds to.
import type { Dataset } from '../domain/dataset';
import { interactions } from '../model/interactions';
import type { Recommender } from '../model/recommender';
import { rng, shuffle } from '../model/rng';

export interface RatedOrder {
  /** Mean per-user agreement in [0, 1]; 0.5 is a random order; null with no user to measure. */
  agreement: number | null;
  users: number;
}

export function ratedOrder(model: Recommender, train: Dataset, test: Dataset, maxUsers = 2000, seed = 1): RatedOrder {
  const nI = train.itemIds.length;
  const warm = interactions(train).byUser;
  const byUser = new Map<number, number[]>();
  const r = test.ratings;
  for (let n = 0; n < r.value.length; n++) {
    const u = r.user[n]!;
    if (warm.indptr[u + 1]! > warm.indptr[u]!) (byUser.get(u) ?? byUser.set(u, []).get(u)!).push(n);
  }
  let users = Uint32Array.from([...byUser.keys()].filter((u) => byUser.get(u)!.length > 1)).sort();
  if (maxUsers > 0 && users.length > maxUsers) users = shuffle(users, rng(seed)).slice(0, maxUsers).sort();
  const scores = new Float32Array(nI);
  let sum = 0;
  let measured = 0;
  for (const u of users) {
    const rows = byUser.get(u)!;
    model.scoreAll(u, scores);
    let agree = 0;
    let pairs = 0;
    for (let x = 0; x < rows.length; x++)
      for (let y = x + 1; y < rows.length; y++) {
        const dr = r.value[rows[x]!]! - r.value[rows[y]!]!;
        if (dr === 0) continue;
        const d = (scores[r.item[rows[x]!]!]! - scores[r.item[rows[y]!]!]!) * dr;
        agree += d > 0 ? 1 : d === 0 ? 0.5 : 0;
        pairs++;
      }
    if (pairs > 0) (sum += agree / pairs), measured++;
  }
  return { agreement: measured > 0 ? sum / measured : null, users: measured };
}
