// The HTTP front's metrics, declared once, registered in prom-client's default
// registry (the process's main registry, merged with the workers' at /metrics).
import { Counter, Gauge, register } from 'prom-client';
import { tallyCounter, tallyHistogram } from '../tally';

export const REQUESTS = 'movrec_http_requests_total';
export const DURATION = 'movrec_http_request_duration_seconds';
export const QUEUE_DEPTH = 'movrec_http_scoring_queue_depth';
export const DEGRADED = 'movrec_http_degraded_total';
export const RATE_LIMITED = 'movrec_http_rate_limited_total';
export const ANSWERS = 'movrec_http_answers_total';
export const MODEL_INFO = 'movrec_model_info';

/** Fine under 10 ms, where a healthy answer lands; coarse up to the 600 ms deadline. */
export const LATENCY_BUCKETS_SECONDS = [
  0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
];

const existing = <T>(name: string): T | undefined => register.getSingleMetric(name) as T | undefined;

// Declared through `existing` so that two servers in one process (tests, the demo) share one set.
// Counted per request on the main thread: tallies (plain increments, see tally.ts), not prom-client children.
export const requests = tallyCounter({
  name: REQUESTS,
  help: 'HTTP answers by route and status code',
  labelNames: ['route', 'status'],
});

export const duration = tallyHistogram({
  name: DURATION,
  help: 'Time from request to answer written, by route',
  labelName: 'route',
  buckets: LATENCY_BUCKETS_SECONDS,
});

export const queueDepth =
  existing<Gauge>(QUEUE_DEPTH) ??
  new Gauge({
    name: QUEUE_DEPTH,
    help: 'Users waiting for a scoring worker (gathered for a batch or in a queued task), at scrape time',
  });

export const degraded =
  existing<Counter<'reason'>>(DEGRADED) ??
  new Counter({
    name: DEGRADED,
    help: 'Answers served from the segment list instead of the model: queue too long, deadline near, or scoring failed',
    labelNames: ['reason'] as const,
  });

export const rateLimited =
  existing<Counter>(RATE_LIMITED) ?? new Counter({ name: RATE_LIMITED, help: 'Requests refused with 429' });

export const answers = tallyCounter({
  name: ANSWERS,
  help: 'Recommendation answers by source: model, cold-start or degraded',
  labelNames: ['source'],
});

export const modelInfo =
  existing<Gauge<'role' | 'model_id' | 'generation'>>(MODEL_INFO) ??
  new Gauge({
    name: MODEL_INFO,
    help: 'The model serving each role (value 1)',
    labelNames: ['role', 'model_id', 'generation'] as const,
  });
