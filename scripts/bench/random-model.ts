// A random model of any size for the serving benchmarks, drawn from the models' seeded generator.
import type { ModelParts } from '../../src/model/artifact';
import { rng } from '../../src/model/rng';

export { rng };

export const movieId = (i: number): string => `movie+${i}+${1950 + (i % 70)}`;

export function randomModelParts(o: {
  id: string;
  seed: number;
  users: number;
  items: number;
  factors: number;
  segments: Record<string, number[]>;
}): ModelParts {
  const r = rng(o.seed);
  const { users, items, factors } = o;
  return {
    id: o.id,
    kind: 'mf',
    factors,
    globalMean: 3.6,
    scoring: 'dot+itemBias',
    userIds: Uint32Array.from({ length: users }, (_, i) => i + 1),
    userFactors: Float32Array.from({ length: users * factors }, () => r() - 0.5),
    userBias: new Float32Array(users),
    itemIds: Array.from({ length: items }, (_, i) => movieId(i)),
    itemFactors: Float32Array.from({ length: items * factors }, () => r() - 0.5),
    itemBias: Float32Array.from({ length: items }, () => (r() - 0.5) / 10),
    itemFlags: Uint8Array.from({ length: items }, () => (r() < 0.02 ? 1 : 0)),
    popularity: Float32Array.from({ length: items }, (_, i) => items - i),
    segments: o.segments,
  };
}
