// `movrec train` as a library call: pick the serving model by ranking quality
// on a time split (single kinds and blends of the two best), refit it on the
// whole snapshot, gate it, register it.
import type { RootDatabase } from 'lmdb';
import type { Config } from '../config/load';
import type { Dataset } from '../domain/dataset';
import { evaluate, type EvalResult } from '../eval/evaluate';
import { ratedOrder } from '../eval/rated-order';
import { choiceOrder } from '../eval/choice-order';
import { timeSplit } from '../eval/split';
import { Popularity, segmentLists } from '../model/popularity';
import type { EpochHook, Recommender } from '../model/recommender';
import { newestApproved, newModelId, registerModel, type Manifest } from '../model/registry';
import { servingParts } from '../model/serving-parts';
import { codeCommit } from '../version';
import { encodeArtifact } from '../model/artifact';
import { auditServedForMinors, type ServedAudit } from '../eval/served-audit';
import { Errors } from '../errors';
import { COLD_START_LISTS, DEFAULT_KINDS, makeModel, type Kind, type ServableKind } from '../model/candidates';
import { Blend } from '../model/blend';
import { PriorBlend } from '../model/prior-blend';
import { TwoPartBlend } from '../model/two-part-blend';
import { writeSnapshot } from './training-snapshot';
import { buildEnvironment } from './build-environment';

/** Shares of the popularity kind tried in blends. */
export const BLEND_WEIGHTS = [0.25, 0.4, 0.5, 0.6, 0.75] as const;
/** Weights of the personal kind on the log popularity prior tried in prior blends (src/model/prior-blend.ts). */
export const PRIOR_BETAS = [0.25, 0.5, 0.75, 1, 1.5] as const;
const POPULARITY_KINDS = new Set<string>(['popularity', 'trend-popularity', 'segment-popularity']);
/** Lists chosen from in the split's test period below which `selectBy: 'choices'` selects by NDCG@20. */
export const MIN_CHOICES = 200;

export interface TrainRequest {
  dataDir: string;
  config: Readonly<Config>;
  dataset: Dataset;
  /** Candidates for serving, compared on the time split (default: every servable kind). */
  kinds?: readonly ServableKind[];
  root?: RootDatabase;
  onEpoch?: EpochHook;
  /** Test users sampled for ranking metrics. */
  evalMaxUsers?: number;
  /** Also try blends of the best personalised and the best popularity kind (default true). */
  blends?: boolean;
}

export interface Candidate {
  kind: string;
  rmse: number | null;
  ndcg20: number;
  recall20: number;
}

export interface TrainOutcome {
  manifest: Manifest;
  candidates: Candidate[];
}

export interface GateInput {
  rmse: number | null;
  ndcg20: number;
  /** The choice order the model was selected by (selectBy 'choices' with enough lists); omitted otherwise. */
  choiceOrder?: number;
  /** The served-answers audit for minors (auditServedForMinors); omitted: not audited. */
  minors?: ServedAudit;
}

/**
 * The approval rule: RMSE under gate.maxRmse, NDCG@20 within gate.ndcgTolerance
 * of the approved model's recorded figure, and not one adult title in the
 * answers the candidate artifact gives minors through the serving ranker.
 * When both models were selected by the lists users chose from, their choice
 * orders are compared instead of NDCG@20 (with the same tolerance): that is
 * what each was chosen for, and NDCG@20 of a liking model sits well below a
 * popularity blend's, so a flip between the two would refuse the better one.
 * When the candidate was chosen by choices and the approved model was not (the
 * first retrain after the rule changed), the two have no figure in common: the
 * metric comparison is skipped and said so in `notes`, and the canary's online
 * guard is what compares them. Holding the liking model to NDCG@20 there would
 * refuse every later retrain too, since each is compared with that same model.
 */
export function runGate(
  m: GateInput,
  gate: Readonly<Config['gate']>,
  approved: Manifest | undefined,
): { passed: boolean; reasons: string[]; notes?: string[] } {
  const reasons: string[] = [];
  if (m.rmse === null) reasons.push('no held-out ratings to measure RMSE on');
  else if (!(m.rmse <= gate.maxRmse)) reasons.push(`RMSE ${m.rmse.toFixed(4)} exceeds gate.maxRmse ${gate.maxRmse}`);
  if (m.minors && m.minors.adultItems > 0) {
    const e = m.minors.examples[0];
    reasons.push(
      `${m.minors.adultItems} adult titles in ${m.minors.lists} answers to ` +
        `minors${e ? ` (user ${e.userId} got ${e.movie})` : ''}`,
    );
  }
  const prevChoice = approved?.metrics.choiceOrder;
  if (approved && m.choiceOrder !== undefined && typeof prevChoice === 'number') {
    if (m.choiceOrder < prevChoice - gate.ndcgTolerance)
      reasons.push(
        `choice order ${m.choiceOrder.toFixed(4)} is below approved model ${approved.id}'s ` +
          `${prevChoice.toFixed(4)} by more than gate.ndcgTolerance ${gate.ndcgTolerance}`,
      );
    return { passed: reasons.length === 0, reasons };
  }
  if (approved && m.choiceOrder !== undefined) {
    const note =
      `approved model ${approved.id} has no choice order (selected by another rule): ` +
      'no offline figure in common, so the canary compares them online';
    return { passed: reasons.length === 0, reasons, notes: [note] };
  }
  const prev = approved?.metrics.ndcg20;
  if (approved && typeof prev === 'number' && m.ndcg20 < prev - gate.ndcgTolerance) {
    reasons.push(
      `NDCG@20 ${m.ndcg20.toFixed(4)} is below approved model ${approved.id}'s ${prev.toFixed(4)} by ` +
        `more than gate.ndcgTolerance ${gate.ndcgTolerance}`,
    );
  }
  return { passed: reasons.length === 0, reasons };
}

/**
 * Everything the artifact's bytes depend on, recorded in the manifest so that
 * `movrec train --reproduce` can run the same training again.
 */
export interface TrainSettings {
  train: Config['train'];
  kinds: readonly ServableKind[];
  evalMaxUsers: number;
  blends: boolean;
  unknownAgeIsMinor: boolean;
  listSize: number;
}

export function trainSettings(req: TrainRequest): TrainSettings {
  return {
    train: { ...req.config.train },
    kinds: [...(req.kinds ?? DEFAULT_KINDS)],
    evalMaxUsers: req.evalMaxUsers ?? 2000,
    blends: req.blends !== false,
    unknownAgeIsMinor: req.config.serve.unknownAgeIsMinor,
    listSize: req.config.serve.listSize,
  };
}

/**
 * The rating model: of the kinds fitted on their own (not blends), the one
 * with the lowest RMSE measured on the split; what the gate checks and the
 * report names. 'mf' when none measured one.
 */
export function ratingModelOf(
  results: ReadonlyMap<string, { rmse: number | null }>,
  single: ReadonlySet<string>,
): string {
  let best = 'mf';
  let bestRmse = results.get('mf')?.rmse ?? Infinity;
  for (const [kind, r] of results)
    if (single.has(kind) && r.rmse !== null && r.rmse < bestRmse) (best = kind), (bestRmse = r.rmse);
  return best;
}

/**
 * The label that serves: the best NDCG@20 among candidates whose lists cover at
 * least `minCoverage` of the titles on the split, or the best NDCG@20 of all
 * when none does. A chart that every user gets is not a recommender, so the
 * coverage floor comes before a small gain in NDCG.
 */
export function chooseServing(
  labels: readonly string[],
  results: ReadonlyMap<string, { ndcg: number; coverage: number }>,
  minCoverage: number,
  fallback: string,
  score: (label: string) => number = (label) => results.get(label)!.ndcg,
): string {
  const best = (pool: readonly string[]): string | undefined =>
    pool.reduce<string | undefined>((w, l) => (w === undefined || score(l) > score(w) ? l : w), undefined);
  return best(labels.filter((l) => results.get(l)!.coverage >= minCoverage)) ?? best(labels) ?? fallback;
}

/** A trained, encoded model before the gate and the registry see it. */
export interface Built {
  parts: ReturnType<typeof servingParts>;
  encoded: Buffer;
  hyperparameters: Record<string, unknown>;
  metrics: Record<string, unknown> & { rmse: number | null; ndcg20: number; choiceOrder?: number };
  minors: ServedAudit;
  results: Map<string, EvalResult>;
}

/**
 * Trains from settings alone: no clock, no randomness but the seed, so the
 * same dataset, settings, id and kernels give the same artifact bytes.
 */
export function buildModel(ds: Dataset, s: TrainSettings, idFor: (kind: string) => string, onEpoch?: EpochHook): Built {
  const train = s.train;
  const kinds = s.kinds;
  const split = timeSplit(ds);
  const evalOpts = { maxUsers: s.evalMaxUsers, unknownAgeIsMinor: s.unknownAgeIsMinor, groups: false };
  const results = new Map<string, EvalResult>();
  const rule = train.selectBy ?? 'ndcg';
  const byRatedOrder = rule === 'rated-order';
  const byChoices = rule === 'choices' && (split.test.choices?.user.length ?? 0) >= MIN_CHOICES;
  const ordered = new Map<string, number>();
  const measure = (label: string, m: Recommender): void => {
    results.set(label, evaluate(m, split.train, split.test, evalOpts));
    if (byRatedOrder) ordered.set(label, ratedOrder(m, split.train, split.test, s.evalMaxUsers).agreement ?? 0);
    if (byChoices) ordered.set(label, choiceOrder(m, split.test, s.evalMaxUsers).agreement ?? 0);
  };
  /** What selection maximises: NDCG@20 of the held-out watches, or agreement with held-out ratings or choices. */
  const score = (label: string): number => (byRatedOrder || byChoices ? ordered.get(label)! : results.get(label)!.ndcg);
  const fitted = new Map<string, Recommender>();
  const make = new Map<string, () => Recommender>();
  for (const kind of new Set<Kind>(['mf', ...kinds])) {
    const m = makeModel(kind, train, fitted);
    m.fit(split.train, onEpoch);
    fitted.set(kind, m);
    make.set(kind, () => makeModel(kind, train));
    measure(kind, m);
  }
  // Blends of the best personalised kind with the best popularity kind, reusing
  // their fitted parts: only a weight is new.
  const ranked = [...kinds].sort((x, y) => score(y) - score(x));
  const ka = ranked.find((k) => !POPULARITY_KINDS.has(k));
  const kb = ranked.find((k) => POPULARITY_KINDS.has(k));
  if (s.blends && ka && kb) {
    for (const w of BLEND_WEIGHTS) {
      const label = `${ka}+${kb}@${w}`;
      const blend = new Blend(fitted.get(ka)!, fitted.get(kb)!, w).calibrate(ds.userIds.length, ds.itemIds.length);
      make.set(label, () => new Blend(makeModel(ka, train), makeModel(kb, train), w));
      measure(label, blend);
    }
    for (const beta of PRIOR_BETAS) {
      const label = `${ka}*${kb}@${beta}`;
      const prior = fitted.get(kb) as Popularity;
      const blend = new PriorBlend(fitted.get(ka)!, prior, beta).calibrate(ds.userIds.length, ds.itemIds.length);
      make.set(label, () => new PriorBlend(makeModel(ka, train), makeModel(kb, train) as Popularity, beta));
      measure(label, blend);
    }
  }
  // Ranking decides what serves; the MF rating model's RMSE is the bundle's rating error.
  // 'mf' is always fitted for its RMSE, but serves only when it is a candidate.
  const winner = chooseServing(
    [...make.keys()].filter((label) => label !== 'mf' || kinds.includes('mf')),
    results,
    train.minCoverage ?? 0,
    ranked[0] ?? 'mf',
    score,
  );
  const best = results.get(winner)!;
  const ratingKind = ratingModelOf(results, new Set(fitted.keys()));
  const ratingModel = results.get(ratingKind)!;
  const model = make.get(winner)!();
  model.fit(ds, onEpoch);
  const serving = model.serving();
  if (!serving) throw Errors.modelFormat(winner, 'this kind has no serving form');
  const kind = model instanceof TwoPartBlend ? 'blend' : model.kind;
  const pop = new Popularity();
  pop.fit(ds);
  const id = idFor(kind);
  const parts = servingParts({
    id,
    kind,
    ds,
    serving,
    popularity: pop.popularity(),
    segments: segmentLists(ds, COLD_START_LISTS),
  });
  const encoded = encodeArtifact(parts);
  const minors = auditServedForMinors(encoded, ds, {
    unknownAgeIsMinor: s.unknownAgeIsMinor,
    listSize: s.listSize,
    maxUsers: 1000,
    seed: 7,
  });
  const metrics = {
    split: split.label,
    rankingModel: winner,
    selectedBy: byRatedOrder ? 'rated-order' : byChoices ? 'choices' : 'ndcg20',
    choiceLists: split.test.choices?.user.length ?? 0,
    ...(byChoices ? { choiceOrder: ordered.get(winner)! } : {}),
    ratingModel: ratingKind,
    rmse: ratingModel.rmse,
    mae: ratingModel.mae,
    recall20: best.recall,
    ndcg20: best.ndcg,
    hitRate20: best.hitRate,
    map20: best.map,
    coverage: best.coverage,
    novelty: best.novelty,
    // Through the serving ranker on the published artifact, not the evaluator's own filter.
    adultToMinors: minors.adultShare,
    minorAnswersAudited: minors.lists,
    evalUsers: best.users,
    candidates: Object.fromEntries(
      [...results].map(([k, r]) => [
        k,
        {
          rmse: r.rmse,
          ndcg20: r.ndcg,
          recall20: r.recall,
          coverage: r.coverage,
          ...(byRatedOrder ? { ratedOrder: ordered.get(k) } : {}),
          ...(byChoices ? { choiceOrder: ordered.get(k) } : {}),
        },
      ]),
    ),
  };
  return {
    parts,
    encoded,
    hyperparameters: { ...model.hyperparameters(), windowDays: train.windowDays },
    metrics,
    minors,
    results,
  };
}

export function trainAndRegister(req: TrainRequest): TrainOutcome {
  const started = process.hrtime.bigint();
  const { config, dataset: ds } = req;
  const settings = trainSettings(req);
  const { parts, encoded, hyperparameters, metrics, minors, results } = buildModel(
    ds,
    settings,
    (kind) => newModelId(kind),
    req.onEpoch,
  );
  // Before registering: a listed model always has the events it was trained on.
  const snapshot = writeSnapshot(req.dataDir, ds);
  const gate = runGate(
    {
      rmse: metrics.rmse,
      ndcg20: metrics.ndcg20,
      minors,
      ...(metrics.choiceOrder !== undefined ? { choiceOrder: metrics.choiceOrder } : {}),
    },
    config.gate,
    newestApproved(req.dataDir),
  );
  const created = new Date().toISOString();
  // The gate's verdict opens the model's lineage (`movrec models ls`), before any canary or promotion.
  const rmse = metrics.rmse === null ? '-' : metrics.rmse.toFixed(4);
  const measured = `RMSE ${rmse}, NDCG@20 ${metrics.ndcg20.toFixed(4)}`;
  const verdict = gate.passed
    ? `gate passed: ${measured}${gate.notes ? ` (${gate.notes.join('; ')})` : ''}`
    : `gate refused: ${gate.reasons.join('; ')}`;
  const manifest = registerModel(
    req.dataDir,
    parts,
    {
      created,
      history: [{ at: created, event: gate.passed ? 'approved' : 'rejected', reason: verdict }],
      approved: gate.passed,
      gate,
      data: {
        from: ds.meta.from,
        to: ds.meta.to,
        hash: ds.meta.hash,
        ratings: ds.ratings.value.length,
        watches: ds.watches.fraction.length,
        users: ds.userIds.length,
        items: ds.itemIds.length,
        snapshot,
      },
      codeVersion: codeCommit(),
      hyperparameters,
      settings: { ...settings },
      build: { ...buildEnvironment() },
      metrics,
      trainSeconds: Number(process.hrtime.bigint() - started) / 1e9,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    },
    req.root,
    encoded,
  );
  return {
    manifest,
    candidates: [...results].map(([kind, r]) => ({ kind, rmse: r.rmse, ndcg20: r.ndcg, recall20: r.recall })),
  };
}
