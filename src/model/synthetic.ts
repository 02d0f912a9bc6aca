// A synthetic Dataset with planted low-rank taste, demographics, adult titles
// and event times: for tests and the speed benchmark when no simulator world
// or MovieLens directory is at hand.
import type { Dataset, UserInfo } from '../domain/dataset';
import { fillNormal, identity, rng, shuffle } from './rng';

export interface SyntheticOptions {
  users: number;
  items: number;
  /** Interactions per user on average (each a watch; a share of them also rated). */
  perUser: number;
  ratedShare: number;
  rank: number;
  noise: number;
  seed: number;
  days: number;
}

export const SYNTHETIC_DEFAULTS: SyntheticOptions = {
  users: 300,
  items: 200,
  perUser: 30,
  ratedShare: 0.5,
  rank: 4,
  noise: 0.3,
  seed: 1,
  days: 30,
};

const OCCUPATIONS = ['student', 'engineer', 'artist', 'doctor', 'other'];

export function syntheticDataset(opts: Partial<SyntheticOptions> = {}): Dataset {
  const o = { ...SYNTHETIC_DEFAULTS, ...opts };
  const next = rng(o.seed);
  const U = fillNormal(new Float32Array(o.users * o.rank), 1 / Math.sqrt(o.rank), next);
  const V = fillNormal(new Float32Array(o.items * o.rank), 1, next);
  // Popularity is skewed (Zipf-like), so some movies are watched far more.
  const rank = shuffle(identity(o.items), next);
  const weight = Float64Array.from({ length: o.items }, (_, i) => 1 / (rank[i]! + 1) ** 0.8);
  const cum = new Float64Array(o.items);
  weight.reduce((s, w, i) => (cum[i] = s + w), 0);
  const total = cum[o.items - 1]!;
  const users: (UserInfo | null)[] = [];
  const ru: number[] = [],
    ri: number[] = [],
    rv: number[] = [],
    rt: number[] = [];
  const wu: number[] = [],
    wi: number[] = [],
    wf: number[] = [],
    wt: number[] = [];
  const start = Date.UTC(2026, 0, 1);
  const span = o.days * 86400_000;
  for (let u = 0; u < o.users; u++) {
    users.push(
      next() < 0.05
        ? null
        : {
            age: 12 + Math.floor(next() * 60),
            gender: next() < 0.5 ? 'M' : 'F',
            occupation: OCCUPATIONS[Math.floor(next() * OCCUPATIONS.length)]!,
          },
    );
    const n = Math.max(1, Math.round(o.perUser * (0.3 + next() * 1.4)));
    const taken = new Set<number>();
    for (let j = 0; j < n * 3 && taken.size < Math.min(n, o.items); j++) {
      // Draw by popularity, keep with a chance that grows with the user's affinity.
      const x = next() * total;
      let lo = 0,
        hi = o.items - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cum[mid]! < x) lo = mid + 1;
        else hi = mid;
      }
      const i = lo;
      if (taken.has(i)) continue;
      let dot = 0;
      for (let f = 0; f < o.rank; f++) dot += U[u * o.rank + f]! * V[i * o.rank + f]!;
      if (next() > 1 / (1 + Math.exp(-2 * dot))) continue;
      taken.add(i);
      const t = start + Math.floor(next() * span);
      wu.push(u), wi.push(i), wf.push(Math.min(1, Math.max(0.05, 0.5 + 0.3 * dot + 0.2 * (next() - 0.5)))), wt.push(t);
      if (next() < o.ratedShare) {
        const r = Math.round(3.5 + dot + o.noise * fillNormal(new Float32Array(1), 1, next)[0]!);
        ru.push(u), ri.push(i), rv.push(Math.min(5, Math.max(1, r))), rt.push(t + 60_000);
      }
    }
  }
  const adult = Uint8Array.from({ length: o.items }, (_, i) => (i % 17 === 5 ? 1 : 0));
  const hashBase = `${o.seed}:${o.users}:${o.items}:${ru.length}:${wu.length}`;
  return {
    userIds: Uint32Array.from({ length: o.users }, (_, u) => 1000 + u * 3),
    itemIds: Array.from({ length: o.items }, (_, i) => `movie+${i}+${1950 + (i % 70)}`),
    ratings: {
      user: Uint32Array.from(ru),
      item: Uint32Array.from(ri),
      value: Float32Array.from(rv),
      time: Float64Array.from(rt),
    },
    watches: {
      user: Uint32Array.from(wu),
      item: Uint32Array.from(wi),
      fraction: Float32Array.from(wf),
      time: Float64Array.from(wt),
    },
    users,
    adult,
    ratingMax: 5,
    meta: { source: `synthetic ${hashBase}`, from: start, to: start + span, hash: hashBase },
  };
}
