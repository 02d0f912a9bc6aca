// GET /recommend/<userid>: parse, admit, score within the deadline budget (or
// degrade to the segment list), answer one line of comma-separated ids.
import type { TemplatedApp } from 'uWebSockets.js';
import { Errors, isMovrecError } from '../errors';
import type { Recommendation } from '../scoring/scorer';
import type { Assignment } from '../release/router';
import type { Admission, Allowance } from './admission';
import type { ServerContext, HeaderList } from './context';
import type { DeadlineQueue } from './deadline';
import { answers, degraded as degradedCount, rateLimited } from './metrics';
import { NO_ARM, type AnswerLog } from '../telemetry/answer-log';
import { remoteAddress, respond } from './respond';
import { parseUserId } from './user-id';
import { USER_ID_RULE } from '../domain/user-id';

const TEXT: readonly [string, string] = ['Content-Type', 'text/plain'];
/** Without a release controller (tests of the front alone), everyone is stable. */
const STABLE: Assignment = { role: 'stable', arm: 'stable', modelId: null };
type DegradeReason = 'queue' | 'deadline' | 'error';

function limitHeaders(a: Allowance, headers: HeaderList): HeaderList {
  headers.push(
    ['X-RateLimit-Limit', String(a.limit)],
    ['X-RateLimit-Remaining', String(a.remaining)],
    ['X-RateLimit-Reset', String(a.resetSeconds)],
  );
  return headers;
}

export function recommendRoute(
  app: TemplatedApp,
  ctx: ServerContext,
  deps: { admission: Admission; deadlines: DeadlineQueue; provenance: AnswerLog },
): void {
  const { scorer, config, log, release } = ctx;
  const { admission, deadlines, provenance } = deps;
  const maxQueue = config.serve.maxQueue;
  const sourceCounters = new Map<string, { inc(): void }>();
  const bySource = (source: string): { inc(): void } => {
    let c = sourceCounters.get(source);
    if (!c) sourceCounters.set(source, (c = answers.labels(source)));
    return c;
  };

  app.get('/recommend/:id', (res, req) => {
    // uWebSockets.js trap: the request object dies at the first await; read all of it now.
    const raw = req.getParameter(0) ?? '';
    const address = remoteAddress(res);
    const ex = ctx.open(res, 'recommend');
    const userId = parseUserId(raw);
    if (userId === null) {
      respond(ctx, ex, Errors.badUserId(raw, USER_ID_RULE));
      provenance.record(ex.seq, -1, '', 0, 'bad-request', 400, performance.now() - ex.t0, '', NO_ARM);
      return;
    }

    // The arm is chosen once per request, on this thread, before scoring: a hash of the user id.
    const arm = release ? release.route(userId) : STABLE;
    const finish = (rec: Recommendation, extra: HeaderList, failed = false): void => {
      const ms = performance.now() - ex.t0;
      if (
        !ctx.answer(
          ex,
          200,
          rec.body,
          [TEXT, ['X-Answer-Source', rec.source], ['X-Arm', arm.arm], ...extra],
          rec.modelId,
        )
      )
        return;
      bySource(rec.source).inc();
      release?.observe(arm, ms, failed);
      provenance.record(ex.seq, userId, rec.modelId, rec.generation, rec.source, 200, ms, rec.body, arm.arm);
    };
    const unavailable = (e: unknown): void => {
      // No model yet is an expected state (readyz says so); anything else is a fault worth a line per request.
      // Either way the client hears 503 "no model is loaded" and may retry.
      const notLoaded = isMovrecError(e) && e.code === 'MOVREC_ERR_MODEL_NOT_LOADED';
      if (notLoaded) log.debug({ userId }, 'no model loaded: 503');
      else log.error({ err: e, userId }, 'no answer: scoring and the segment list both failed');
      const ms = performance.now() - ex.t0;
      respond(ctx, ex, notLoaded ? e : Errors.modelNotLoaded(), [['X-Arm', arm.arm]]);
      release?.observe(arm, ms, true);
      provenance.record(ex.seq, userId, '', 0, 'unavailable', 503, ms, '', arm.arm);
    };
    const degrade = (reason: DegradeReason, extra: HeaderList): void => {
      let rec: Recommendation;
      try {
        rec = scorer.degraded(userId);
      } catch (e) {
        unavailable(e);
        return;
      }
      degradedCount.labels(reason).inc();
      finish(rec, extra, reason === 'error');
    };
    const score = (extra: HeaderList): void => {
      if (ex.closed) return;
      if (scorer.queueDepth() > maxQueue) return degrade('queue', extra);
      const deadline = deadlines.add(() => degrade('deadline', extra));
      scorer.recommend(userId, arm.role).then(
        (rec) => {
          if (deadline.done) return;
          deadline.done = true;
          finish(rec, extra);
        },
        (e: unknown) => {
          if (deadline.done) return;
          deadline.done = true;
          log.warn({ err: e, userId }, 'scoring failed: answered from the segment list');
          degrade('error', extra);
        },
      );
    };

    const verdict = admission.check(address, userId);
    if (verdict === null) return score([]);
    verdict.then(
      (a) => {
        if (a.allowed) return score(limitHeaders(a, []));
        rateLimited.inc();
        respond(
          ctx,
          ex,
          Errors.rateLimited(a.limit, config.rateLimit.windowSeconds, a.resetSeconds, limitHeaders(a, [])),
        );
        provenance.record(ex.seq, userId, '', 0, 'rate-limited', 429, performance.now() - ex.t0, '', arm.arm);
      },
      (e: unknown) => {
        log.error({ err: e }, 'rate limiter failed: request admitted');
        score([]);
      },
    );
  });
}
