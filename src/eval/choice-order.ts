// How well a model's ranking agrees with what users chose from the lists they were shown: per answered list
// that the user then chose from, the share of the other shown titles the model scores below the chosen one
// (ties count half), averaged over lists. Every title compared was on the same screen, so what decides the
// choice is how much the user wanted it, not whether they came across it: popularity alone scores about
// 0.5, while on the held-out watches it tops NDCG. The closest the logs come to the online figure.
import type { Dataset } from '../domain/dataset';
import type { Recommender } from '../model/recommender';
import { rng, shuffle } from '../model/rng';

export interface ChoiceOrder {
  /** Mean per-list agreement in [0, 1]; 0.5 is a random order; null with no list to measure. */
  agreement: number | null;
  lists: number;
}

/** Lists with a choice in `test.choices` (at most maxLists, a seeded sample), scored by `model`. */
export function choiceOrder(model: Recommender, test: Dataset, maxLists = 2000, seed = 1): ChoiceOrder {
  const c = test.choices;
  if (!c || c.user.length === 0) return { agreement: null, lists: 0 };
  let rows = Uint32Array.from({ length: c.user.length }, (_, r) => r);
  if (maxLists > 0 && rows.length > maxLists) rows = shuffle(rows, rng(seed)).slice(0, maxLists);
  // By user, so that one scoring pass serves all of a user's lists.
  rows.sort((a, b) => c.user[a]! - c.user[b]! || a - b);
  const scores = new Float32Array(test.itemIds.length);
  let scoredFor = -1;
  let sum = 0;
  let lists = 0;
  for (const r of rows) {
    const u = c.user[r]!;
    if (u !== scoredFor) model.scoreAll(u, scores), (scoredFor = u);
    const chosen = scores[c.chosen[r]!]!;
    let below = 0;
    let others = 0;
    for (let e = c.indptr[r]!; e < c.indptr[r + 1]!; e++) {
      const i = c.items[e]!;
      if (i === c.chosen[r]) continue;
      others++;
      below += scores[i]! < chosen ? 1 : scores[i] === chosen ? 0.5 : 0;
    }
    if (others > 0) (sum += below / others), lists++;
  }
  return { agreement: lists > 0 ? sum / lists : null, lists };
}
