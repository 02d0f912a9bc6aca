// ials-liking on planted tastes with exposure that mostly ignores them: two segments like opposite halves
// of the catalog, but a few titles of each half are watched by nearly everyone (found on their own, as
// popular titles are), and abandoned early by those who dislike them. Each user rated two titles. The liking head reads
// the ratings and the watched fractions, so the segment's half fills its lists; iALS alone ranks what is
// watched, the popular titles of both halves.
import t from 'tap';
import type { Dataset, UserInfo } from '../../src/domain/dataset';
import { Ials } from '../../src/model/ials';
import { ImplicitLiking } from '../../src/model/ials-liking';
import { IALS_RECENT } from '../../src/model/candidates';
import type { Recommender } from '../../src/model/recommender';
import { rng } from '../../src/model/rng';

const USERS = 600;
const ITEMS = 40;
const HALF = ITEMS / 2;
/** Titles 0–4 and 20–24 are the popular ones: everyone watches some of them. */
const POPULAR = 5;
const next = rng(8);
const users: UserInfo[] = Array.from({ length: USERS }, (_, u) => ({
  age: 30,
  gender: u % 2 === 0 ? 'M' : 'F',
  occupation: u % 3 === 0 ? 'student' : 'other',
}));
/** Men like the first half, women the second. */
const likes = (u: number, i: number): boolean => (u % 2 === 0) === i < HALF;

function planted(): Dataset {
  const wUser: number[] = [];
  const wItem: number[] = [];
  const wFraction: number[] = [];
  const rUser: number[] = [];
  const rItem: number[] = [];
  const rValue: number[] = [];
  for (let u = 0; u < USERS; u++) {
    const picked = new Set<number>();
    // Four popular titles, of the own half more often than not; two unpopular ones of the own half.
    const own = likes(u, 0) ? 0 : HALF;
    while (picked.size < 4) picked.add((next() < 0.7 ? own : HALF - own) + Math.floor(next() * POPULAR));
    while (picked.size < 6) picked.add(own + POPULAR + Math.floor(next() * (HALF - POPULAR)));
    let rated = 0;
    for (const i of picked) {
      const liked = likes(u, i);
      wUser.push(u), wItem.push(i);
      wFraction.push(liked ? Math.min(1, 0.93 + 0.1 * next()) : 0.15 + 0.3 * next());
      if (rated < 2 && next() < 0.4) {
        rated++;
        rUser.push(u), rItem.push(i), rValue.push(liked ? 4 + Math.round(next()) : 1 + Math.round(next()));
      }
    }
  }
  return {
    userIds: Uint32Array.from({ length: USERS }, (_, u) => u + 1),
    itemIds: Array.from({ length: ITEMS }, (_, i) => `movie+${i}+2000`),
    ratings: {
      user: Uint32Array.from(rUser),
      item: Uint32Array.from(rItem),
      value: Float32Array.from(rValue),
      time: new Float64Array(rUser.length),
    },
    watches: {
      user: Uint32Array.from(wUser),
      item: Uint32Array.from(wItem),
      fraction: Float32Array.from(wFraction),
      time: new Float64Array(wUser.length),
    },
    users,
    adult: new Uint8Array(ITEMS),
    ratingMax: 5,
    meta: { source: 'planted tastes, exposure by popularity', from: 0, to: 0, hash: 'planted' },
  };
}

/** Share of top-10 slots (over titles the user has not watched) that fall in the user's liked half. */
function ownHalfShare(m: Recommender, ds: Dataset): number {
  const seen = Array.from({ length: USERS }, () => new Set<number>());
  for (let n = 0; n < ds.watches.user.length; n++) seen[ds.watches.user[n]!]!.add(ds.watches.item[n]!);
  const out = new Float32Array(ITEMS);
  let own = 0;
  for (let u = 0; u < USERS; u++) {
    m.scoreAll(u, out);
    const top = Array.from(out.keys())
      .filter((i) => !seen[u]!.has(i))
      .sort((a, b) => out[b]! - out[a]!)
      .slice(0, 10);
    own += top.filter((i) => likes(u, i)).length;
  }
  return own / (USERS * 10);
}

t.test('ranks by what the segment likes, not by what everyone watches', async (t) => {
  const ds = planted();
  const liking = new ImplicitLiking({ base: { seed: 1, ...IALS_RECENT } });
  liking.fit(ds);
  const implicit = new Ials({ seed: 1, ...IALS_RECENT });
  implicit.fit(ds);
  const ours = ownHalfShare(liking, ds);
  const watched = ownHalfShare(implicit, ds);
  t.ok(ours > 0.9, `ials-liking: ${(100 * ours).toFixed(1)}% of top-10 slots in the own half`);
  t.ok(ours > watched + 0.1, `above iALS alone: ${(100 * watched).toFixed(1)}%`);
  // A popular title the user's segment dislikes predicts a low rating, one it likes a high one.
  let gap = 0;
  for (let u = 0; u < USERS; u++) {
    const mine = likes(u, 0) ? 0 : HALF;
    const theirs = HALF - mine;
    gap += liking.predict(u, mine + 1) - liking.predict(u, theirs + 1);
  }
  t.ok(gap / USERS > 1.5, `popular titles: liked half predicted ${(gap / USERS).toFixed(2)} stars above the other`);
  const s = liking.serving();
  t.equal(s.userFactors.length, USERS * s.factors, 'serves one composed vector per user');
  t.equal(s.itemBias.length, ITEMS);
});

t.test('reuses a fitted iALS instead of fitting its own', async (t) => {
  const ds = planted();
  const base = new Ials({ seed: 1, ...IALS_RECENT });
  base.fit(ds);
  const epochs: string[] = [];
  const m = new ImplicitLiking({ base: { seed: 1, ...IALS_RECENT } }, base);
  m.fit(ds, (e) => epochs.push(e.model));
  t.ok(epochs.length > 0 && epochs.every((k) => k === 'ials-liking'), 'only the liking head reports epochs');
  t.ok(ownHalfShare(m, ds) > 0.9);
});
