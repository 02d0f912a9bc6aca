// The models `movrec train` and `movrec eval` build, from the configuration.
import type { Config } from '../config/load';
import { Ials } from './ials';
import { ImplicitLiking } from './ials-liking';
import { ItemKnn } from './item-knn';
import { DemographicMf } from './mf-demographic';
import { MfSgd } from './mf-sgd';
import { GlobalMean, Popularity } from './popularity';
import type { Recommender } from './recommender';

/** Kinds with a serving form (dot + itemBias), compared for serving by `movrec train`. */
export const SERVABLE_KINDS = [
  'mf',
  'mf-implicit',
  'mf-demographic',
  'ials',
  'ials-recent',
  'ials-liking',
  'popularity',
  'trend-popularity',
  'segment-popularity',
] as const;
export const ALL_KINDS = ['global-mean', 'item-knn', ...SERVABLE_KINDS] as const;
export type ServableKind = (typeof SERVABLE_KINDS)[number];
/**
 * Kinds `movrec train` compares when none are named: every servable kind but `mf-demographic`, whose
 * JavaScript fit costs several times the others' at full size (MODELS.md); name it in --kinds to compare it.
 */
export const DEFAULT_KINDS: readonly ServableKind[] = SERVABLE_KINDS.filter((k) => k !== 'mf-demographic');
export type Kind = (typeof ALL_KINDS)[number];

/**
 * The models of "now", their settings chosen on validation periods of the
 * real-data bench (scripts/bench/real-data.ts: the 28 days before each cut,
 * never a test period): iALS whose confidences halve every 14 days of age and
 * whose user vectors are re-solved with a 7-day half-life from each user's
 * latest event; popularity over a 7-day half-life times its trend against a
 * 112-day one. `ials-recent` keeps 16 factors whatever train.factors says: on
 * the first validation window (before every test window) 16 gave Recall@20
 * 0.125 alone and 0.221 blended with trend popularity, against 0.091 and 0.205
 * with 64; 8 and 24 were no better than 16 on the three windows pooled.
 */
export const IALS_RECENT = { factors: 16, halfLifeDays: 14, userHalfLifeDays: 7 } as const;
export const TREND_POPULARITY = { halfLifeDays: 7, trendHalfLifeDays: 112, trendExponent: 1 } as const;

/**
 * The artifact's cold-start segment lists: each segment smoothed toward global
 * popularity by 1,000 pseudo-interactions (50 before). On the real-data bench's
 * validation windows, users new in a window were better served the more a
 * segment leaned on everyone's recent popularity: Recall@20 0.130 at 50, 0.137
 * at 1,000, no better beyond (0.139 at 2,000, 0.138 at 1,000,000).
 */
export const COLD_START_LISTS = { prior: 1000 } as const;

/**
 * A model of `kind`. `fitted`: models already fitted on the dataset this one will be fitted on, by kind;
 * `ials-liking` reuses the `ials-recent` there instead of fitting the same iALS again.
 */
export function makeModel(
  kind: Kind,
  train: Readonly<Config['train']>,
  fitted?: ReadonlyMap<string, Recommender>,
): Recommender {
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
    case 'trend-popularity':
      return new Popularity(TREND_POPULARITY);
    case 'item-knn':
      return new ItemKnn();
    case 'mf':
      return new MfSgd(mf);
    case 'mf-implicit':
      return new MfSgd({ ...mf, implicitWeight: 0.3 });
    case 'mf-demographic':
      return new DemographicMf({ seed: train.seed });
    case 'ials':
      return new Ials({ factors: train.factors, seed: train.seed });
    case 'ials-recent':
      return new Ials({ seed: train.seed, ...IALS_RECENT });
    case 'ials-liking': {
      const base = fitted?.get('ials-recent');
      return new ImplicitLiking(
        { base: { seed: train.seed, ...IALS_RECENT } },
        base instanceof Ials ? base : undefined,
      );
    }
  }
}
