// The canary guard's judgement: canary against stable on error rate, p99
// latency and the online metric (per-user watch-from-list rate, mSPRT, so it
// may look as often as it likes). A regression on any of them rolls back; a
// canary that has served its minimum of answers and users with none is
// promoted. Pure: the controller gathers the inputs and acts on the verdict.
import type { ArmHealth } from './arm-stats';
import { msprt, summarise, type Msprt, type Summary } from './stats';
import type { UserOutcome } from '../telemetry/outcomes';

export interface GuardSettings {
  minAnswers: number;
  minUsers: number;
  minHealthAnswers: number;
  maxErrorRateIncrease: number;
  p99Ratio: number;
  p99SlackMs: number;
  alpha: number;
  minEffect: number;
}

export interface GuardInput {
  stable: ArmHealth;
  canary: ArmHealth;
  /** Per-user outcomes of each arm since the canary started (empty maps when nothing has closed yet). */
  stableUsers: ReadonlyMap<number, UserOutcome>;
  canaryUsers: ReadonlyMap<number, UserOutcome>;
}

export type GuardAction = 'wait' | 'promote' | 'rollback';

export interface GuardVerdict {
  action: GuardAction;
  /** Why, in one line with the numbers: what the registry, the log and `release status` show. */
  reason: string;
  /** The failed check for a rollback (a metric label). */
  check: 'errors' | 'latency' | 'online' | 'none';
  figures: {
    answers: { stable: number; canary: number };
    errorRate: { stable: number; canary: number };
    p99Ms: { stable: number; canary: number };
    rate: { stable: Summary; canary: Summary };
    test: Msprt | null;
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

/**
 * Answers each arm needs before its p99 is compared: with fewer, the p99 is
 * one of the few slowest answers, and on a busy machine one stall of either
 * arm decides it. At 1000, ten answers lie above it.
 */
export const MIN_LATENCY_ANSWERS = 1000;

export function judge(input: GuardInput, s: GuardSettings): GuardVerdict {
  const { stable, canary } = input;
  const rate = { stable: summarise(input.stableUsers.values()), canary: summarise(input.canaryUsers.values()) };
  const test =
    rate.stable.users >= 2 && rate.canary.users >= 2 ? msprt(rate.stable, rate.canary, s.alpha, s.minEffect) : null;
  const figures = {
    answers: { stable: stable.answers, canary: canary.answers },
    errorRate: { stable: stable.errorRate(), canary: canary.errorRate() },
    p99Ms: { stable: stable.quantileMs(0.99), canary: canary.quantileMs(0.99) },
    rate,
    test,
  };
  const verdict = (action: GuardAction, check: GuardVerdict['check'], reason: string): GuardVerdict => ({
    action,
    check,
    reason,
    figures,
  });

  if (canary.answers >= s.minHealthAnswers) {
    if (figures.errorRate.canary > figures.errorRate.stable + s.maxErrorRateIncrease)
      return verdict(
        'rollback',
        'errors',
        `error rate ${pct(figures.errorRate.canary)} over ${canary.answers} answers against stable's ` +
          `${pct(figures.errorRate.stable)} (limit +${pct(s.maxErrorRateIncrease)})`,
      );
    const limit = Math.max(figures.p99Ms.stable * s.p99Ratio, figures.p99Ms.stable + s.p99SlackMs);
    const enough = Math.max(s.minHealthAnswers, MIN_LATENCY_ANSWERS);
    if (canary.answers >= enough && stable.answers >= enough && figures.p99Ms.canary > limit)
      return verdict(
        'rollback',
        'latency',
        `p99 latency ${figures.p99Ms.canary.toFixed(1)} ms against stable's ${figures.p99Ms.stable.toFixed(1)} ` +
          `ms (limit ${limit.toFixed(1)} ms)`,
      );
  }
  const online = test
    ? `watch-from-list ${pct(rate.canary.mean)} (${rate.canary.users} users) vs stable ${pct(rate.stable.mean)} ` +
      `(${rate.stable.users} users), ` +
      `diff ${(100 * test.diff).toFixed(2)} pp, always-valid ${100 * (1 - s.alpha)}% CI ` +
      `[${(100 * test.ci[0]).toFixed(2)}, ${(100 * test.ci[1]).toFixed(2)}] pp, ` +
      `mSPRT Lambda ${test.lambda.toPrecision(3)}`
    : `watch-from-list: ${rate.canary.users} canary and ${rate.stable.users} stable users so far`;
  if (test?.reject && test.diff < 0) return verdict('rollback', 'online', online);
  if (canary.answers >= s.minAnswers && rate.canary.users >= s.minUsers && rate.stable.users >= s.minUsers)
    return verdict(
      'promote',
      'none',
      `no regression after ${canary.answers} answers: errors ${pct(figures.errorRate.canary)} vs ` +
        `${pct(figures.errorRate.stable)}, ` +
        `p99 ${figures.p99Ms.canary.toFixed(1)} vs ${figures.p99Ms.stable.toFixed(1)} ms, ${online}`,
    );
  return verdict('wait', 'none', `${canary.answers}/${s.minAnswers} answers; ${online}`);
}
