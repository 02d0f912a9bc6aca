// The one interface every model implements: fit, predict a rating, score a
// user against every movie, and (when it can serve) its artifact factors.
import type { Dataset } from '../domain/dataset';

export interface EpochReport {
  model: string;
  epoch: number;
  epochs: number;
  /** Training loss of the epoch (RMSE for rating models, weighted loss for implicit ones). */
  loss: number;
}

export type EpochHook = (e: EpochReport) => void;

/** What the serving kernel computes: dot(userFactors[u], itemFactors[i]) + itemBias[i]. */
export interface ServingFactors {
  factors: number;
  globalMean: number;
  userFactors: Float32Array;
  userBias: Float32Array;
  itemFactors: Float32Array;
  itemBias: Float32Array;
}

export interface Recommender {
  readonly kind: string;
  /** False for a ranker whose predict() is not a rating estimate: reports leave its RMSE out. */
  readonly predictsRatings?: boolean;
  fit(ds: Dataset, onEpoch?: EpochHook): void;
  /** Predicted rating of internal user u for internal item i, on the dataset's scale. */
  predict(u: number, i: number): number;
  /** Ranking score of every item for internal user u, written into out (length nItems). */
  scoreAll(u: number, out: Float32Array): void;
  /** The serving form, or null for a model evaluated offline only. */
  serving(): ServingFactors | null;
  hyperparameters(): Record<string, number | string | boolean>;
}

/** Clamps a prediction to the rating scale, as Surprise does. */
export const clampRating = (x: number, max: number): number => (x < 1 ? 1 : Math.min(x, max));
