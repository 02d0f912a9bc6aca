// What /readyz answers, and why: a model serves (or, before the first one, the
// popularity of what has been ingested), ingest is consuming and not stalled,
// and the server is not shutting down.
import type { ServerContext } from './context';

/** 200 with what serves, or 503 with why not (the route words it as MOVREC_ERR_NOT_READY: "not ready: <why>"). */
export function readiness(ctx: ServerContext): { status: 200 | 503; text: string } {
  if (ctx.draining) return { status: 503, text: 'shutting down' };
  const active = ctx.scorer.active();
  const fallback = active ? null : (ctx.noModelNote?.() ?? null);
  const stats = ctx.ingest?.stats();
  const ingestNote = stats?.error
    ? `ingest failed: ${stats.error}`
    : ctx.ingest?.stalled()
      ? 'ingest is stalled'
      : stats?.waiting
        ? `ingest: ${stats.waiting}`
        : null;
  if (!active && !fallback?.answering) {
    const why = fallback?.text ?? 'no model loaded';
    return { status: 503, text: `${why}${ingestNote ? `; ${ingestNote}` : ''}` };
  }
  if (ingestNote) return { status: 503, text: ingestNote };
  if (!active) return { status: 200, text: `ready (degraded): ${fallback?.text}` };
  return { status: 200, text: `ready: model ${active.modelId} generation ${active.generation}` };
}
