// `movrec eval` as a library call: every model and baseline on the time split
// (with the per-group report) and on a random k-fold, side by side.
import type { Dataset } from '../domain/dataset';
import type { EpochHook } from '../model/recommender';
import type { Config } from '../config/load';
import { ALL_KINDS, makeModel, type Kind } from '../model/candidates';
import { averageResults, evaluate, type EvalResult } from './evaluate';
import { kFold, timeSplit } from './split';

export interface EvalReport {
  data: { source: string; hash: string; users: number; items: number; ratings: number; watches: number };
  timeSplit: { label: string; results: EvalResult[] };
  kFold: { folds: number; results: EvalResult[] } | null;
}

export interface EvalRequest {
  dataset: Dataset;
  train: Readonly<Config['train']>;
  unknownAgeIsMinor: boolean;
  kinds?: readonly Kind[];
  folds: number;
  maxUsers: number;
  seed?: number;
  onEpoch?: EpochHook;
}

export function runEval(req: EvalRequest): EvalReport {
  const ds = req.dataset;
  const kinds = req.kinds ?? ALL_KINDS;
  const opts = { maxUsers: req.maxUsers, unknownAgeIsMinor: req.unknownAgeIsMinor, seed: req.seed ?? 7 };
  const split = timeSplit(ds);
  const timeResults = kinds.map((kind) => {
    const m = makeModel(kind, req.train);
    m.fit(split.train, req.onEpoch);
    return evaluate(m, split.train, split.test, { ...opts, groups: true });
  });
  let folds: EvalReport['kFold'] = null;
  if (req.folds >= 2) {
    const splits = kFold(ds, req.folds, req.seed ?? 7);
    folds = {
      folds: req.folds,
      results: kinds.map((kind) =>
        averageResults(
          splits.map((s) => {
            const m = makeModel(kind, req.train);
            m.fit(s.train, req.onEpoch);
            return evaluate(m, s.train, s.test, { ...opts, groups: false });
          }),
        ),
      ),
    };
  }
  return {
    data: {
      source: ds.meta.source,
      hash: ds.meta.hash,
      users: ds.userIds.length,
      items: ds.itemIds.length,
      ratings: ds.ratings.value.length,
      watches: ds.watches.fraction.length,
    },
    timeSplit: { label: split.label, results: timeResults },
    kFold: folds,
  };
}

const f4 = (x: number | null): string => (x === null ? '     -' : x.toFixed(4));

function table(results: EvalResult[]): string[] {
  const columns = [
    'RMSE',
    'MAE',
    'Recall@20',
    'NDCG@20',
    'Hit@20',
    'MAP@20',
    'coverage',
    'novelty',
    'adult>minor',
    'users',
  ];
  const head = `  ${'model'.padEnd(20)} ${columns.map((h) => h.padStart(12)).join('')}`;
  return [
    head,
    ...results.map(
      (r) =>
        `  ${r.model.padEnd(20)} ${[
          ...[r.rmse, r.mae, r.recall, r.ndcg, r.hitRate, r.map, r.coverage].map(f4),
          r.novelty.toFixed(2),
          f4(r.adultToMinors),
          String(r.users),
        ]
          .map((x) => x.padStart(12))
          .join('')}`,
    ),
  ];
}

export function formatEval(rep: EvalReport): string {
  const d = rep.data;
  const lines = [
    `data: ${d.source} (${d.users} users, ${d.items} items, ${d.ratings} ratings, ${d.watches} ` +
      `watches, hash ${d.hash})`,
    '',
    `${rep.timeSplit.label}:`,
    ...table(rep.timeSplit.results),
  ];
  if (rep.kFold) lines.push('', `random ${rep.kFold.folds}-fold (mean over folds):`, ...table(rep.kFold.results));
  const best = [...rep.timeSplit.results].sort((a, b) => b.ndcg - a.ndcg)[0];
  if (best) {
    lines.push('', `per group, ${best.model} on the time split (users: ranked test users; ratings: test ratings):`);
    lines.push(
      `  ${'group'.padEnd(64)}${['users', 'ratings', 'RMSE', 'MAE', 'Recall@20', 'NDCG@20', 'Hit@20', 'MAP@20']
        .map((h) => h.padStart(10))
        .join('')}`,
    );
    for (const [key, g] of Object.entries(best.groups)) {
      lines.push(
        `  ${key.padEnd(64)}${[
          String(g.users),
          String(g.ratings),
          ...[g.rmse, g.mae, g.recall, g.ndcg, g.hitRate, g.map].map(f4),
        ]
          .map((x) => x.padStart(10))
          .join('')}`,
      );
    }
  }
  return lines.join('\n');
}
