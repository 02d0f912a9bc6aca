// Scoring metrics. Each worker thread has its own registry (prom-client cannot
// aggregate across threads itself); the main thread merges their JSON with
// AggregatorRegistry.aggregate. Model loads are counted on the main thread.
import { Counter, Gauge, Histogram, Registry, register } from 'prom-client';
import { tallyHistogram, type TallyHistogram } from '../tally';

export const SCORING_LATENCY = 'movrec_scoring_latency_seconds';
export const SCORING_ANSWERS = 'movrec_scoring_answers_total';
export const SCORING_COLD_START = 'movrec_scoring_cold_start_total';
export const MODEL_LOADS = 'movrec_release_model_loads_total';
export const MODEL_LOAD_FAILURES = 'movrec_model_load_failures_total';
export const BATCH_USERS = 'movrec_scoring_batch_users';
export const SCORING_KERNEL = 'movrec_scoring_kernel_info';

export interface ScoringMetrics {
  registry: Registry;
  /**
   * Observed once per answer (a batch's time shared evenly): plain increments, not a prom-client child's label hashing
   * per call.
   */
  latency: TallyHistogram;
  answers: Counter<'role' | 'model' | 'source'>;
  coldStarts: Counter<'role'>;
  /** Set to 1 by each worker for the kernel it runs: merged, the value counts the workers on it. */
  kernel: Gauge<'kernel' | 'int8'>;
}

/** A fresh registry for one worker thread. */
export function createScoringMetrics(): ScoringMetrics {
  const registry = new Registry();
  return {
    registry,
    latency: tallyHistogram({
      name: SCORING_LATENCY,
      help:
        "Time to score one user inside a worker (LMDB reads, mask, top-K); a batch's time is " +
        'shared evenly among its users',
      labelName: 'role',
      // Fine buckets under a millisecond: the kernel is sub-millisecond when healthy.
      buckets: [0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1],
      registry,
    }),
    answers: new Counter({
      name: SCORING_ANSWERS,
      help: 'Answers computed by workers',
      labelNames: ['role', 'model', 'source'],
      registers: [registry],
    }),
    coldStarts: new Counter({
      name: SCORING_COLD_START,
      help: 'Answers from the cold-start segment list',
      labelNames: ['role'],
      registers: [registry],
    }),
    kernel: new Gauge({
      name: SCORING_KERNEL,
      help:
        'The top-K kernel the scoring workers run (native and its SIMD, or the TypeScript twins) ' +
        'and its int8 path (amx, vnni or off); the value counts the workers',
      labelNames: ['kernel', 'int8'],
      registers: [registry],
    }),
  };
}

/** Model load attempts on the main thread by outcome (ok, or the refusal's error code). */
export function modelLoads(): Counter<'outcome'> {
  const existing = register.getSingleMetric(MODEL_LOADS);
  if (existing) return existing as Counter<'outcome'>;
  return new Counter({ name: MODEL_LOADS, help: 'Model load attempts by outcome', labelNames: ['outcome'] });
}

/**
 * Users per scoring task as the main thread sends them: how far the micro-batching gets under the load of the moment.
 */
export function batchUsers(): Histogram {
  const existing = register.getSingleMetric(BATCH_USERS);
  if (existing) return existing as Histogram;
  return new Histogram({
    name: BATCH_USERS,
    help: 'Users per scoring task sent to the worker pool (one pass of the top-K kernel each)',
    buckets: [1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 128, 256],
  });
}

/** Counted on the main thread, which loads artifacts into slots. */
export const modelLoadFailures =
  (register.getSingleMetric(MODEL_LOAD_FAILURES) as Counter<'code'> | undefined) ??
  new Counter({
    name: MODEL_LOAD_FAILURES,
    help: 'Artifacts refused on load (SIGHUP or admin activation); the current model kept serving',
    labelNames: ['code'] as const,
  });
