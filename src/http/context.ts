// What every route handler shares: the parts it calls, and one way to answer
// that stamps X-Request-Id / X-Model-Id, counts, times and tracks in-flight work.
import { performance } from 'node:perf_hooks';
import type { HttpResponse } from 'uWebSockets.js';
import type { Config } from '../config/load';
import type { IngestHandle } from '../ingest/loop';
import type { Logger } from '../log';
import type { Scorer } from '../scoring/scorer';
import type { ReleaseController } from '../release/controller';
import { duration, requests } from './metrics';
import type { TallyCounterChild, TallyHistogramChild } from '../tally';
import { requestId, type RequestIds } from '../telemetry/request-id';
import { send, type Exchange } from './respond';

export type Route = 'recommend' | 'healthz' | 'readyz' | 'metrics' | 'admin' | 'unknown';
export type HeaderList = (readonly [string, string])[];

export interface ServerContext {
  config: Readonly<Config>;
  scorer: Scorer;
  ingest: IngestHandle | undefined;
  /** While no model serves: how the server answers meanwhile, for /readyz (null: it does not). */
  noModelNote?: (() => { answering: boolean; text: string } | null) | undefined;
  onReload(): Promise<void>;
  /** Routes requests to arms and runs canaries and experiments; absent, everyone is served by stable. */
  release: ReleaseController | undefined;
  log: Logger;
  ids: RequestIds;
  /** Starts an exchange: from here the handler may await (onAborted is attached now). */
  open(res: HttpResponse, route: Route): Exchange & { route: Route; seq: number; requestId: string; t0: number };
  /** Writes the answer (unless the client left), counts it, and ends the exchange. */
  answer(
    ex: ReturnType<ServerContext['open']>,
    status: number,
    body: string | Uint8Array,
    headers?: HeaderList,
    modelId?: string,
  ): boolean;
  /** Resolves when no exchange is open. */
  idle(): Promise<void>;
  busy(): boolean;
  /** performance.now() when the newest exchange was opened (0 before the first). */
  lastOpened(): number;
  draining: boolean;
}

export function createContext(
  base: Pick<ServerContext, 'config' | 'scorer' | 'ingest' | 'noModelNote' | 'onReload' | 'log' | 'ids' | 'release'>,
): ServerContext {
  let open = 0;
  let lastOpened = 0;
  let waiters: (() => void)[] = [];
  // Children looked up once per (route, status): a tally child's inc() and observe() are plain increments.
  const children = new Map<Route, { byStatus: Map<number, TallyCounterChild>; timer: TallyHistogramChild }>();
  const observe = (route: Route, status: number, seconds: number): void => {
    let r = children.get(route);
    if (!r) children.set(route, (r = { byStatus: new Map(), timer: duration.labels(route) }));
    let c = r.byStatus.get(status);
    if (!c) r.byStatus.set(status, (c = requests.labels(route, String(status))));
    c.inc();
    r.timer.observe(seconds);
  };
  const release = (): void => {
    open--;
    if (open === 0 && waiters.length > 0) {
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    }
  };
  const ctx: ServerContext = {
    ...base,
    draining: false,
    open(res, route) {
      const seq = base.ids.next();
      const ex = { res, closed: false, route, seq, requestId: requestId(base.ids.bootId, seq), t0: performance.now() };
      open++;
      lastOpened = ex.t0;
      // uWebSockets.js trap: without an abort handler, a response used after an await crashes the process.
      res.onAborted(() => {
        if (ex.closed) return;
        ex.closed = true;
        release();
      });
      return ex;
    },
    answer(ex, status, body, headers = [], modelId) {
      if (ex.closed) return false;
      const model = modelId ?? base.scorer.active()?.modelId ?? 'none';
      headers.push(['X-Request-Id', ex.requestId], ['X-Model-Id', model]);
      send(ex, status, body, headers, ctx.draining);
      observe(ex.route, status, (performance.now() - ex.t0) / 1000);
      release();
      return true;
    },
    idle: () => (open === 0 ? Promise.resolve() : new Promise((r) => waiters.push(r))),
    busy: () => open > 0,
    lastOpened: () => lastOpened,
  };
  return ctx;
}
