// The models `movrec train` and `movrec eval` build, from the configuration.
import type { Config } from '../config/load';
import { Ials } from './ials';
import { ItemKnn } from './item-knn';
import { MfSgd } from './mf-sgd';
import { GlobalMean, Popularity } from './popularity';
import type { Recommender } from './recommender';

/** Kinds with a serving form (dot + itemBias), compared for serving by `movrec train`. */
export const SERVABLE_KINDS = ['mf', 'mf-implicit', 'ials', 'popularity', 'segment-popularity'] as const;
export const ALL_KINDS = ['global-mean', 'item-knn', ...SERVABLE_KINDS] as const;
export type ServableKind = (typeof SERVABLE_KINDS)[number];
export type Kind = (typeof ALL_KINDS)[number];

export function makeModel(kind: Kind, train: Readonly<Config['train']>): Recommender {
  const mf = {
    factors: train.factors,
    epochs: train.epochs,
    lr: train.learningRate,
    reg: train.regularization,
    seed: train.seed,
  };
  switch (kind) {
    case 'global-mean':
      return new GlobalMean();
    case 'popularity':
      return new Popularity();
    case 'segment-popularity':
      return new Popularity({ bySegment: true });
    case 'item-knn':
      return new ItemKnn();
    case 'mf':
      return new MfSgd(mf);
    case 'mf-implicit':
      return new MfSgd({ ...mf, implicitWeight: 0.3 });
    case 'ials':
      return new Ials({ factors: train.factors, seed: train.seed });
  }
}
