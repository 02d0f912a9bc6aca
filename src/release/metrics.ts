// Release metrics: per-arm health and online rate as the guard last saw them
// (gauges set on each check, not per answer), the canary share, and every
// canary/promotion/rollback/experiment event with its reason.
import { Counter, Gauge, register } from 'prom-client';

export const ARM_ANSWERS = 'movrec_release_arm_answers';
export const ARM_ERRORS = 'movrec_release_arm_errors';
export const ARM_P99 = 'movrec_release_arm_p99_seconds';
export const ARM_RATE = 'movrec_release_arm_watch_from_list_ratio';
export const ARM_USERS = 'movrec_release_arm_users';
export const CANARY_SHARE = 'movrec_release_canary_share_ratio';
export const EVENTS = 'movrec_release_events_total';

const existing = <T>(name: string): T | undefined => register.getSingleMetric(name) as T | undefined;

const gauge = (name: string, help: string): Gauge<'arm' | 'model'> =>
  existing<Gauge<'arm' | 'model'>>(name) ?? new Gauge({ name, help, labelNames: ['arm', 'model'] as const });

export const armAnswers = gauge(ARM_ANSWERS, 'Answers under each arm since the canary or experiment started');
export const armErrors = gauge(
  ARM_ERRORS,
  'Failed answers (503, or scoring failed and the segment list answered) under each arm',
);
export const armP99 = gauge(ARM_P99, "p99 of each arm's answer latency as the front measured it");
export const armRate = gauge(
  ARM_RATE,
  'Mean per-user watch-from-list rate of each arm (answers whose join window closed)',
);
export const armUsers = gauge(ARM_USERS, 'Users with a closed join window under each arm');

export const canaryShare =
  existing<Gauge<'model'>>(CANARY_SHARE) ??
  new Gauge({
    name: CANARY_SHARE,
    help: 'Share of users routed to the canary (0: no canary)',
    labelNames: ['model'] as const,
  });

export const events =
  existing<Counter<'event' | 'check'>>(EVENTS) ??
  new Counter({
    name: EVENTS,
    help:
      'Release events: canaried, promoted, rolled-back (check: errors, latency, online, operator), ' +
      'experiment-started, experiment-stopped',
    labelNames: ['event', 'check'] as const,
  });
