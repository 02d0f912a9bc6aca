// The release controller: the router's plan, the canary and its guard, and
// experiments, persisted in the LMDB sub-db `release` so that a restart keeps
// every user's arm. One per serving process, on the main thread; operations
// that change the plan are serialised.
import { randomBytes } from 'node:crypto';
import type { Database, RootDatabase } from 'lmdb';
import type { Config } from '../config/load';
import { Errors, isMovrecError } from '../errors';
import type { Logger } from '../log';
import { appendHistory, artifactPath, modelsMirror, readManifest } from '../model/registry';
import { DB } from '../store/tables';
import type { Role, Scorer } from '../scoring/scorer';
import { ArmStats } from './arm-stats';
import { judge, type GuardVerdict } from './canary-guard';
import { armAnswers, armErrors, armP99, armRate, armUsers, canaryShare, events } from './metrics';
import { Router, type Assignment, type CanaryPlan, type ExperimentPlan, type RoutePlan } from './router';
import { decide, summarise, usersPerArm, type Decision } from './stats';
import type { OutcomeReader } from '../telemetry/outcomes';

const STATE_KEY = 'state';
const EXPERIMENT_ROLES: readonly Role[] = ['arm-a', 'arm-b'];
export const METRICS = ['watch-from-list'] as const;
const NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

export interface CanaryState extends CanaryPlan {
  startedAt: string;
  /** The stream's event time when it started: its outcomes (and stable's beside it) count from there. */
  eventSince?: number;
}

export interface ExperimentState extends ExperimentPlan {
  metric: (typeof METRICS)[number];
  /** Users per arm at which the one test is made (fixed horizon). */
  horizon: number;
  alpha: number;
  startedAt: string;
  /** The stream's event time when it started: its arms' outcomes count from there. */
  eventSince?: number;
}

/**
 * The models the release state names (the recorded stable, the canary, an
 * experiment's arms), read from the store without a running controller: what
 * `movrec models gc` must never remove.
 */
export function modelsInRelease(root: RootDatabase): string[] {
  const state = root.openDB<unknown, string>({ name: DB.release }).get(STATE_KEY) as ReleaseState | undefined;
  if (!state) return [];
  return [
    ...(state.stableModelId ? [state.stableModelId] : []),
    ...(state.canary ? [state.canary.modelId] : []),
    ...(state.experiment?.arms.map((a) => a.modelId) ?? []),
  ];
}

interface ReleaseState {
  /** The model that served as stable last (promotion, reload or start); null: the newest approved one at start. */
  stableModelId: string | null;
  canary: CanaryState | null;
  experiment: ExperimentState | null;
}

export interface ArmReport {
  arm: string;
  models: readonly string[];
  answers: number;
  errors: number;
  p99Ms: number;
  users: number;
  watchFromList: number;
}

export interface ExperimentReport {
  name: string;
  metric: string;
  startedAt: string;
  stoppedAt?: string;
  arms: (ArmReport & { name: string; percent: number; modelId: string })[];
  decision: Decision;
}

export interface CanaryReport {
  modelId: string;
  percent: number;
  startedAt: string;
  stable: ArmReport;
  canary: ArmReport;
  guard: string;
}

export interface ReleaseStatus {
  stable: string | null;
  canary: CanaryReport | null;
  experiment: ExperimentReport | null;
}

export interface ExperimentSpec {
  name: string;
  arms: { name: string; modelId: string; percent: number }[];
  metric?: string;
  minUsers?: number;
}

export interface ReleaseController {
  /** The arm of a request: main thread, per request. */
  route(userId: number): Assignment;
  /** Records an answer's latency and failure under its arm (the list goes to the answer log, for the online join). */
  observe(a: Assignment, ms: number, error: boolean): void;
  /**
   * Puts an approved model on canary at `percent` of users (default
   * release.canaryPercent); the guard then promotes or rolls it back by
   * itself. The entry point of scheduled retraining.
   */
  proposeCanary(modelId: string, opts?: { percent?: number; reason?: string }): Promise<CanaryReport>;
  promote(reason: string): Promise<void>;
  rollback(reason: string, check?: GuardVerdict['check'] | 'operator'): Promise<void>;
  /** One guard pass (the timer calls it every release.guardIntervalMs); the verdict, or null without a canary. */
  check(): Promise<GuardVerdict | null>;
  startExperiment(spec: ExperimentSpec): Promise<ExperimentReport>;
  stopExperiment(): Promise<ExperimentReport>;
  status(): ReleaseStatus;
  /**
   * The stable model changed (start, reload, admin activation): recorded, and the router labels its answers with it.
   */
  stableLoaded(): void;
  /** The stable model recorded by the last promotion, to load at start. */
  recordedStable(): string | null;
  /** Loads the canary and experiment arms a previous run left live (after stable is loaded). */
  restore(): Promise<void>;
  close(): void;
}

export function createReleaseController(o: {
  config: Readonly<Config>;
  scorer: Scorer;
  root: RootDatabase;
  /** The online join (telemetry): per-arm outcomes, and the stream's clock (event time) to count them from. */
  outcomes: OutcomeReader & { clock(): number };
  log: Logger;
}): ReleaseController {
  const { scorer, outcomes, log } = o;
  const cfg = o.config.release;
  const dataDir = o.config.dataDir;
  const db: Database<unknown, string | string[]> = o.root.openDB({ name: DB.release });
  const models = modelsMirror(o.root);
  let state: ReleaseState = (db.get(STATE_KEY) as ReleaseState | undefined) ?? {
    stableModelId: null,
    canary: null,
    experiment: null,
  };
  const router = new Router();
  const stats = new ArmStats();
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const next = chain.then(f);
    chain = next.catch(() => undefined);
    return next;
  };

  const replan = (): void => {
    const plan: RoutePlan = {
      stableModelId: scorer.active('stable')?.modelId ?? state.stableModelId,
      canary: state.canary,
      experiment: state.experiment,
    };
    router.set(plan);
    canaryShare.reset();
    if (state.canary) canaryShare.labels(state.canary.modelId).set(state.canary.percent / 100);
  };
  // Written with an async put, committed in order off this thread: a sync write here waits out any other
  // process's write transaction, and a training child under SCHED_IDLE holding LMDB's lock on a busy machine
  // stalled answers for as long as it took to be scheduled again.
  const persist = (): Promise<void> => {
    const written = db.put(STATE_KEY, state).then(() => undefined);
    replan();
    return written;
  };
  replan();

  const history = async (id: string, event: 'canaried' | 'promoted' | 'rolled-back', reason: string): Promise<void> => {
    try {
      await appendHistory(dataDir, id, { event, reason }, models);
    } catch (e) {
      log.warn({ err: e, modelId: id, event }, 'release: could not record the event in the manifest');
    }
  };
  const needModel = (id: string): string => {
    readManifest(dataDir, id);
    return artifactPath(dataDir, id);
  };

  // Event time now, or undefined before the stream has said anything (then: since the arm started).
  const eventNow = (): number | undefined => (Number.isFinite(outcomes.clock()) ? outcomes.clock() : undefined);
  const armReport = (arm: string, since: number | undefined, out = outcomes.arm(arm, since)): ArmReport => {
    const h = stats.of(arm);
    const s = summarise(out?.perUser.values() ?? []);
    return {
      arm,
      models: out?.models ?? [],
      answers: h.answers,
      errors: h.errors,
      p99Ms: h.quantileMs(0.99),
      users: s.users,
      watchFromList: s.mean,
    };
  };
  const publishGauges = (r: ArmReport): void => {
    const model = r.models[r.models.length - 1] ?? '';
    armAnswers.labels(r.arm, model).set(r.answers);
    armErrors.labels(r.arm, model).set(r.errors);
    armP99.labels(r.arm, model).set(r.p99Ms / 1000);
    armUsers.labels(r.arm, model).set(r.users);
    armRate.labels(r.arm, model).set(r.watchFromList);
  };

  let lastGuard = 'no verdict yet';
  const canaryReport = (): CanaryReport | null => {
    const c = state.canary;
    if (!c) return null;
    return {
      modelId: c.modelId,
      percent: c.percent,
      startedAt: c.startedAt,
      stable: armReport('stable', c.eventSince),
      canary: armReport('canary', c.eventSince),
      guard: lastGuard,
    };
  };
  const experimentReport = (e: ExperimentState): ExperimentReport => {
    const outs = e.arms.map((a) => outcomes.arm(`${e.name}/${a.name}`, e.eventSince));
    const arms = e.arms.map((a, i) => ({
      ...armReport(`${e.name}/${a.name}`, e.eventSince, outs[i]),
      name: a.name,
      percent: a.percent,
      modelId: a.modelId,
    }));
    const [a, b] = outs.map((o) => summarise(o?.perUser.values() ?? []));
    return {
      name: e.name,
      metric: e.metric,
      startedAt: e.startedAt,
      arms,
      decision: decide(a!, b!, { alpha: e.alpha, horizon: e.horizon }),
    };
  };

  const rollbackNow = async (reason: string, check: string): Promise<void> => {
    const c = state.canary;
    if (!c) throw Errors.releaseConflict('no canary is live');
    // Route first, so no new request asks for the canary; requests already queued for it fall back to stable.
    state = { ...state, canary: null };
    const written = persist();
    await scorer.retire('canary');
    await written;
    await history(c.modelId, 'rolled-back', reason);
    events.labels('rolled-back', check).inc();
    lastGuard = `rolled back: ${reason}`;
    log.warn({ modelId: c.modelId, check, reason }, 'release: canary rolled back');
  };
  const promoteNow = async (reason: string): Promise<void> => {
    const c = state.canary;
    if (!c) throw Errors.releaseConflict('no canary is live');
    // One flip in the slots: stable now points at the canary's slot, and the canary role (empty) falls back to it.
    const r = await scorer.promote('canary');
    state = { ...state, canary: null, stableModelId: r.modelId };
    await persist();
    await history(c.modelId, 'promoted', reason);
    events.labels('promoted', 'none').inc();
    lastGuard = `promoted: ${reason}`;
    log.info({ modelId: r.modelId, reason }, 'release: canary promoted to stable');
  };

  const timer = setInterval(() => {
    void controller.check().catch((e: unknown) => log.error({ err: e }, 'release: guard check failed'));
  }, cfg.guardIntervalMs);
  timer.unref();

  const controller: ReleaseController = {
    route: (userId) => router.route(userId),
    observe(a, ms, error) {
      stats.of(a.arm).observe(ms, error);
    },
    proposeCanary(modelId, opts = {}) {
      return serial(async () => {
        const percent = opts.percent ?? cfg.canaryPercent;
        if (!(percent > 0 && percent <= 100))
          throw Errors.releasePlan(`canary percent must be in (0, 100], got ${percent}`);
        if (state.canary)
          throw Errors.releaseConflict(
            `model ${state.canary.modelId} is on canary already: promote or roll it back first`,
          );
        const file = needModel(modelId);
        await scorer.loadModel(file, 'canary');
        stats.reset('canary');
        stats.reset('stable');
        const salt = `canary-${randomBytes(6).toString('hex')}`;
        const startedAt = new Date().toISOString();
        state = { ...state, canary: { modelId, percent, salt, startedAt, eventSince: eventNow() } };
        await persist();
        const reason = `${percent}% of users${opts.reason ? `; ${opts.reason}` : ''}`;
        await history(modelId, 'canaried', reason);
        events.labels('canaried', 'none').inc();
        lastGuard = 'no verdict yet';
        log.info({ modelId, percent }, 'release: model on canary');
        return canaryReport()!;
      });
    },
    promote: (reason) => serial(() => promoteNow(reason)),
    rollback: (reason, check = 'operator') => serial(() => rollbackNow(reason, check)),
    check() {
      return serial(async () => {
        if (state.experiment) for (const a of experimentReport(state.experiment).arms) publishGauges(a);
        const k = state.canary;
        if (!k) return null;
        // Each arm read once per pass: the reader walks the arm's joined answers.
        const so = outcomes.arm('stable', k.eventSince);
        const co = outcomes.arm('canary', k.eventSince);
        publishGauges(armReport('stable', k.eventSince, so));
        publishGauges(armReport('canary', k.eventSince, co));
        const verdict = judge(
          {
            stable: stats.of('stable'),
            canary: stats.of('canary'),
            stableUsers: so?.perUser ?? new Map(),
            canaryUsers: co?.perUser ?? new Map(),
          },
          cfg,
        );
        lastGuard = verdict.reason;
        if (verdict.action === 'rollback') await rollbackNow(verdict.reason, verdict.check);
        else if (verdict.action === 'promote') await promoteNow(verdict.reason);
        else log.debug({ reason: verdict.reason }, 'release: canary guard waits');
        return verdict;
      });
    },
    startExperiment(spec) {
      return serial(async () => {
        if (state.experiment)
          throw Errors.releaseConflict(`experiment ${state.experiment.name} is running: stop it first`);
        if (!NAME.test(spec.name))
          throw Errors.releasePlan(`experiment name must match ${NAME.source}, got "${spec.name.slice(0, 60)}"`);
        if (spec.arms.length !== 2)
          throw Errors.releasePlan(
            `an experiment has exactly two arms (--arm a=MODEL_ID:50 --arm b=MODEL_ID:50), got ${spec.arms.length}`,
          );
        const metric = spec.metric ?? 'watch-from-list';
        if (!(METRICS as readonly string[]).includes(metric))
          throw Errors.releasePlan(`metric must be one of ${METRICS.join(', ')}, got "${metric.slice(0, 40)}"`);
        let total = 0;
        for (const a of spec.arms) {
          if (!NAME.test(a.name))
            throw Errors.releasePlan(`arm name must match ${NAME.source}, got "${a.name.slice(0, 40)}"`);
          if (!(a.percent > 0 && a.percent <= 100))
            throw Errors.releasePlan(`arm ${a.name}: percent must be in (0, 100], got ${a.percent}`);
          total += a.percent;
        }
        if (spec.arms[0]!.name === spec.arms[1]!.name) throw Errors.releasePlan('the two arms need different names');
        if (total > 100) throw Errors.releasePlan(`the arms' shares add up to ${total}%, over 100%`);
        const files = spec.arms.map((a) => needModel(a.modelId));
        for (let i = 0; i < 2; i++) await scorer.loadModel(files[i]!, EXPERIMENT_ROLES[i]!);
        const sd = Math.sqrt(cfg.baselineRate * (1 - cfg.baselineRate));
        const planned = usersPerArm({ alpha: cfg.alpha, power: cfg.power, mde: cfg.minEffect, sd });
        const e: ExperimentState = {
          name: spec.name,
          salt: `exp-${spec.name}-${randomBytes(6).toString('hex')}`,
          arms: spec.arms.map((a, i) => ({ ...a, role: EXPERIMENT_ROLES[i]! })),
          metric: metric as ExperimentState['metric'],
          horizon: Math.max(planned, spec.minUsers ?? 0),
          alpha: cfg.alpha,
          startedAt: new Date().toISOString(),
          eventSince: eventNow(),
        };
        for (const a of e.arms) stats.reset(`${e.name}/${a.name}`);
        state = { ...state, experiment: e };
        await persist();
        events.labels('experiment-started', 'none').inc();
        log.info({ name: e.name, horizon: e.horizon, arms: e.arms }, 'release: experiment started');
        return experimentReport(e);
      });
    },
    stopExperiment() {
      return serial(async () => {
        const e = state.experiment;
        if (!e) throw Errors.releaseConflict('no experiment is running');
        const report = { ...experimentReport(e), stoppedAt: new Date().toISOString() };
        state = { ...state, experiment: null };
        await persist();
        await db.put(['experiment', e.name], report);
        for (const r of EXPERIMENT_ROLES) await scorer.retire(r);
        events.labels('experiment-stopped', 'none').inc();
        log.info({ name: e.name, decision: report.decision.text }, 'release: experiment stopped');
        return report;
      });
    },
    status() {
      return {
        stable: scorer.active('stable')?.modelId ?? null,
        canary: canaryReport(),
        experiment: state.experiment ? experimentReport(state.experiment) : null,
      };
    },
    stableLoaded() {
      // Recorded so that a restart loads what served last, not an approved model that never went through the canary.
      const id = scorer.active('stable')?.modelId ?? null;
      if (id !== null && id !== state.stableModelId) {
        state = { ...state, stableModelId: id };
        persist().catch((e: unknown) => log.error({ err: e }, 'release: could not record the stable model'));
      } else replan();
    },
    recordedStable: () => state.stableModelId,
    async restore() {
      const loads: [string, Role][] = [];
      if (state.canary) loads.push([state.canary.modelId, 'canary']);
      if (state.experiment) for (const a of state.experiment.arms) loads.push([a.modelId, a.role]);
      for (const [id, role] of loads) {
        try {
          await scorer.loadModel(needModel(id), role);
        } catch (e) {
          // Its users are answered by stable meanwhile (a role without a model falls back to it).
          log.error(
            { modelId: id, role, err: e, code: isMovrecError(e) ? e.code : undefined },
            'release: could not reload a live model at start',
          );
        }
      }
      if (loads.length > 0)
        log.info({ canary: state.canary?.modelId, experiment: state.experiment?.name }, 'release: restored');
      replan();
    },
    close() {
      clearInterval(timer);
    },
  };
  return controller;
}
