// Turns a fitted model's serving factors into artifact parts: users sorted by
// external id (the artifact binary-searches them), item flags from the
// dataset's adult column, popularity and cold-start segment lists.
import { FLAG_ADULT, type ModelParts } from './artifact';
import type { Dataset } from '../domain/dataset';
import type { ServingFactors } from './recommender';

export function servingParts(opts: {
  id: string;
  kind: string;
  ds: Dataset;
  serving: ServingFactors;
  popularity: Float32Array;
  segments: Record<string, number[]>;
}): ModelParts {
  const { ds, serving: s } = opts;
  const k = s.factors;
  const nU = ds.userIds.length;
  const order = Array.from({ length: nU }, (_, u) => u).sort((a, b) => ds.userIds[a]! - ds.userIds[b]!);
  const userIds = new Uint32Array(nU);
  const userFactors = new Float32Array(nU * k);
  const userBias = new Float32Array(nU);
  order.forEach((u, j) => {
    userIds[j] = ds.userIds[u]!;
    userFactors.set(s.userFactors.subarray(u * k, u * k + k), j * k);
    userBias[j] = s.userBias[u]!;
  });
  const itemFlags = new Uint8Array(ds.itemIds.length);
  for (let i = 0; i < itemFlags.length; i++) if (ds.adult[i]) itemFlags[i] = FLAG_ADULT;
  return {
    id: opts.id,
    kind: opts.kind,
    factors: k,
    globalMean: s.globalMean,
    scoring: 'dot+itemBias',
    userIds,
    userFactors,
    userBias,
    itemIds: ds.itemIds.slice(),
    itemFactors: Float32Array.from(s.itemFactors),
    itemBias: Float32Array.from(s.itemBias),
    itemFlags,
    popularity: opts.popularity,
    segments: opts.segments,
  };
}
