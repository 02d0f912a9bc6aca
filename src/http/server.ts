// The HTTP front: one uWebSockets.js app on the main thread that parses,
// admits, routes and writes; scoring happens in the scorer's workers.
import { performance } from 'node:perf_hooks';
import uWS, { type TemplatedApp, type us_listen_socket } from 'uWebSockets.js';
import type { RootDatabase } from 'lmdb';
import { collectDefaultMetrics, register } from 'prom-client';
import type { Config } from '../config/load';
import { Errors } from '../errors';
import type { IngestHandle } from '../ingest/loop';
import { logger } from '../log';
import { createAnswerLog, type AnswerLog } from '../telemetry/answer-log';
import type { Scorer } from '../scoring/scorer';
import type { ReleaseController } from '../release/controller';
import { createAdmission } from './admission';
import { adminRoutes } from './admin-routes';
import { createContext, type ServerContext } from './context';
import { createDeadlineQueue } from './deadline';
import { opsRoutes } from './ops-routes';
import { recommendRoute } from './recommend-route';
import { createRequestIds } from '../telemetry/request-id';
import { respond } from './respond';

export interface ServerOptions {
  config: Readonly<Config>;
  scorer: Scorer;
  ingest?: IngestHandle | undefined;
  /** While no model serves: how answers are made meanwhile, said on /readyz. */
  noModelNote?: ServerContext['noModelNote'];
  /** Loads the newest approved model (POST /admin/reload; `movrec serve` also calls it on SIGHUP). */
  onReload(): Promise<void>;
  /** Canary, experiments and the router; without it every request is served by stable. */
  release?: ReleaseController | undefined;
  /** Where the answer log goes (sub-db `answers`); without it, answers are only counted. */
  store?: { root: RootDatabase } | undefined;
}

export interface ServerHandle {
  port: number;
  /** Every answer recorded: the online join attributes the stream's request lines with it. */
  answers: AnswerLog;
  /** Stops accepting, lets every in-flight answer finish, flushes the request log, closes idle connections. */
  close(): Promise<void>;
}

/** uWS's LIBUS_LISTEN_EXCLUSIVE_PORT (its typings declare the option only for listen(port, options, cb)). */
const LISTEN_EXCLUSIVE_PORT = 1;
type ListenWithOptions = (
  host: string,
  port: number,
  options: number,
  cb: (s: us_listen_socket | false) => void,
) => TemplatedApp;

/** Each route and the methods it answers; any other method gets 405 with Allow. */
const ROUTES: readonly (readonly [string, string])[] = [
  ['/recommend/:id', 'GET'],
  ['/healthz', 'GET'],
  ['/readyz', 'GET'],
  ['/metrics', 'GET'],
  ['/admin/models/:id/activate', 'POST'],
  ['/admin/reload', 'POST'],
  ['/admin/release', 'GET'],
  ['/admin/canary/promote', 'POST'],
  ['/admin/canary/rollback', 'POST'],
  ['/admin/experiments', 'GET, POST'],
  ['/admin/experiments/stop', 'POST'],
];

function fallbackRoutes(app: TemplatedApp, ctx: ServerContext): void {
  for (const [pattern, allow] of ROUTES) {
    app.any(pattern, (res, req) => {
      const method = req.getCaseSensitiveMethod();
      const route = pattern.startsWith('/admin')
        ? 'admin'
        : (pattern.slice(1).split('/')[0] as 'recommend' | 'healthz' | 'readyz' | 'metrics');
      respond(ctx, ctx.open(res, route), Errors.methodNotAllowed(method, pattern, allow));
    });
  }
  app.any('/*', (res, req) => {
    const url = req.getUrl();
    respond(ctx, ctx.open(res, 'unknown'), Errors.notFound(url));
  });
}

let defaultMetrics = false;

export async function startServer(opts: ServerOptions): Promise<ServerHandle> {
  const { config } = opts;
  const log = logger().child({ name: 'http' });
  if (!defaultMetrics && !register.getSingleMetric('process_resident_memory_bytes')) {
    collectDefaultMetrics();
    defaultMetrics = true;
  }
  const ids = createRequestIds();
  const ctx = createContext({
    config,
    scorer: opts.scorer,
    ingest: opts.ingest,
    noModelNote: opts.noModelNote,
    onReload: opts.onReload,
    release: opts.release,
    log,
    ids,
  });
  const deadlines = createDeadlineQueue(config.serve.deadlineMs);
  const provenance = createAnswerLog({
    root: opts.store?.root,
    ids,
    retentionDays: config.serve.requestLogDays,
    maxBytes: config.telemetry.answerLogMaxBytes,
    log,
  });
  const admission = createAdmission(config.rateLimit);

  const app = uWS.App();
  recommendRoute(app, ctx, { admission, deadlines, provenance });
  opsRoutes(app, ctx);
  adminRoutes(app, ctx);
  fallbackRoutes(app, ctx);

  const listenSocket = await new Promise<us_listen_socket>((resolve, reject) => {
    // uWS listens with SO_REUSEPORT unless told otherwise: a second server on a busy port would then
    // start quietly and take a share of the connections. Exclusive, it fails here instead.
    (app.listen as unknown as ListenWithOptions).call(
      app,
      config.serve.host,
      config.serve.port,
      LISTEN_EXCLUSIVE_PORT,
      (s) => {
        if (s) resolve(s);
        else reject(Errors.listen(config.serve.host, config.serve.port));
      },
    );
  });
  const port = uWS.us_socket_local_port(listenSocket as unknown as uWS.us_socket);
  log.info({ host: config.serve.host, port, bootId: ctx.ids.bootId }, 'listening');

  let closing: Promise<void> | undefined;
  return {
    port,
    answers: provenance,
    close: () =>
      (closing ??= (async () => {
        ctx.draining = true;
        uWS.us_listen_socket_close(listenSocket);
        // From here every answer carries Connection: close. A kept-alive client that had its answer just
        // before the stop may already have its next request on the wire: closing its connection now would
        // lose it. So the front stays up until requests have paused for drainQuietMs (at most drainMaxMs),
        // and each of those late requests is answered, with close, like any other.
        const { drainQuietMs: quiet, drainMaxMs: max } = config.serve;
        const t0 = performance.now();
        for (;;) {
          // A request already in a socket buffer is read on the next loop turn: settle until a turn brings none.
          do {
            await ctx.idle();
            await new Promise<void>((r) => setImmediate(r));
          } while (ctx.busy());
          const now = performance.now();
          const pause = now - Math.max(t0, ctx.lastOpened());
          if (pause >= quiet || now - t0 >= max) break;
          await new Promise<void>((r) => setTimeout(r, Math.min(quiet - pause, max - (now - t0))));
        }
        const waitedMs = Math.round(performance.now() - t0);
        if (waitedMs >= max && max > 0)
          log.warn(
            { waitedMs, drainMaxMs: max },
            'requests did not pause for drainQuietMs within drainMaxMs: closing the remaining connections',
          );
        else log.info({ waitedMs }, 'connections quiet');
        deadlines.stop();
        await provenance.close();
        // Idle keep-alive connections would hold the event loop open; App.close() is in the binary, not in its typings.
        (app as TemplatedApp & { close(): void }).close();
        log.info('http front closed');
      })()),
  };
}
