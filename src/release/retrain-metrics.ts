// The scheduled retrain's metrics, declared once in prom-client's default registry.
import { Counter, Gauge, register } from 'prom-client';

export const RUNS = 'movrec_retrain_runs_total';
export const RUNNING = 'movrec_retrain_running';
export const LAST_DURATION = 'movrec_retrain_last_duration_seconds';
export const LAST_MODEL = 'movrec_retrain_last_model_info';
export const LAST_END = 'movrec_retrain_last_end_timestamp_seconds';

export type RetrainOutcome = 'approved' | 'rejected' | 'failed' | 'skipped';

const existing = <T>(name: string): T | undefined => register.getSingleMetric(name) as T | undefined;

// Through `existing`: two services in one process (tests, the demo) share one set.
export const runs =
  existing<Counter<'outcome'>>(RUNS) ??
  new Counter({
    name: RUNS,
    help:
      'Scheduled retrains by outcome: approved (gates passed, handed on), rejected (a gate ' +
      'failed), failed (the training child did not finish), skipped (another training held the data ' +
      "dir's lock: the systemd timer's or an operator's)",
    labelNames: ['outcome'] as const,
  });

export const running =
  existing<Gauge>(RUNNING) ?? new Gauge({ name: RUNNING, help: '1 while a training child runs, else 0' });

export const lastDuration =
  existing<Gauge>(LAST_DURATION) ??
  new Gauge({ name: LAST_DURATION, help: 'Wall time of the latest finished retrain, spawn to exit' });

export const lastModel =
  existing<Gauge<'model' | 'outcome'>>(LAST_MODEL) ??
  new Gauge({
    name: LAST_MODEL,
    help: 'The model the latest retrain registered (value 1), with its outcome',
    labelNames: ['model', 'outcome'] as const,
  });

export const lastEnd =
  existing<Gauge>(LAST_END) ??
  new Gauge({ name: LAST_END, help: 'Unix time the latest retrain ended, whatever its outcome' });
