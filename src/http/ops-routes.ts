// Operator routes, open to every client: /healthz (the process answers),
// /readyz (see readiness.ts), /metrics (this process's
// registry merged with every scoring worker's).
import { AggregatorRegistry, register } from 'prom-client';
import type { TemplatedApp } from 'uWebSockets.js';
import { Errors } from '../errors';
import type { ServerContext } from './context';
import { modelInfo, queueDepth } from './metrics';
import { respond } from './respond';
import { readiness } from './readiness';

const TEXT: readonly [string, string] = ['Content-Type', 'text/plain'];

/** The model and generation of each role, as labels of an info gauge (reset so a replaced model disappears). */
function refreshModelInfo(ctx: ServerContext): void {
  modelInfo.reset();
  for (const role of ['stable', 'canary'] as const) {
    const a = ctx.scorer.active(role);
    if (a) modelInfo.labels(role, a.modelId, String(a.generation)).set(1);
  }
}

export async function renderMetrics(ctx: ServerContext): Promise<{ contentType: string; body: string }> {
  queueDepth.set(ctx.scorer.queueDepth());
  refreshModelInfo(ctx);
  const [main, workers] = await Promise.all([register.getMetricsAsJSON(), ctx.scorer.workerMetrics()]);
  const merged = AggregatorRegistry.aggregate([main, ...workers]);
  return { contentType: merged.contentType, body: await merged.metrics() };
}

export function opsRoutes(app: TemplatedApp, ctx: ServerContext): void {
  app.get('/healthz', (res) => {
    ctx.answer(ctx.open(res, 'healthz'), 200, 'ok\n', [TEXT]);
  });

  app.get('/readyz', (res) => {
    const ex = ctx.open(res, 'readyz');
    const r = readiness(ctx);
    if (r.status !== 200) return void respond(ctx, ex, Errors.notReady(r.text));
    ctx.answer(ex, 200, `${r.text}\n`, [TEXT]);
  });

  app.get('/metrics', (res) => {
    const ex = ctx.open(res, 'metrics');
    renderMetrics(ctx).then(
      (m) => ctx.answer(ex, 200, m.body, [['Content-Type', m.contentType]]),
      (e: unknown) => {
        ctx.log.error({ err: e }, 'metrics collection failed');
        respond(ctx, ex, Errors.internal('metrics collection failed', e));
      },
    );
  });
}
