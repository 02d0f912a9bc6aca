// /admin/*: bearer token (constant-time compare), loopback clients only by
// default, disabled (404) when no token is configured.
import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { TemplatedApp } from 'uWebSockets.js';
import { Errors, isMovrecError, type MovrecError } from '../errors';
import { artifactPath } from '../model/registry';
import type { Role } from '../scoring/scorer';
import { activateArtifact } from '../scoring/activation';
import { addressSet, LOOPBACK } from './client-address';
import type { ServerContext } from './context';
import { remoteAddress, respond } from './respond';

const TEXT: readonly [string, string] = ['Content-Type', 'text/plain'];
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

// Hashing both sides gives equal lengths, which timingSafeEqual requires, without leaking the token's length.
const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** A failed load as the client hears it: an artifact refusal (422) or not-found as raised, anything else 500. */
const loadFailure = (e: unknown): MovrecError =>
  isMovrecError(e) && e.status !== undefined ? e : Errors.internal(e instanceof Error ? e.message : String(e), e);

export function adminRoutes(app: TemplatedApp, ctx: ServerContext): void {
  const token = ctx.config.serve.adminToken;
  const want = token === null ? null : digest(token);
  const loopback = addressSet(LOOPBACK, 'loopback');
  const loopbackOnly = ctx.config.serve.adminLoopbackOnly;

  const gate = (address: string, authorization: string): MovrecError | null => {
    if (want === null) return Errors.adminDisabled();
    if (loopbackOnly && !loopback.has(address)) return Errors.forbidden('admin routes answer loopback clients only');
    const m = /^Bearer (.+)$/.exec(authorization);
    if (!m || !timingSafeEqual(digest(m[1]!), want)) return Errors.unauthorized();
    return null;
  };

  app.post('/admin/models/:id/activate', (res, req) => {
    const id = req.getParameter(0) ?? '';
    const roleParam = req.getQuery('role') ?? 'stable';
    const refused = gate(remoteAddress(res), req.getHeader('authorization'));
    const ex = ctx.open(res, 'admin');
    if (refused) return void respond(ctx, ex, refused);
    if (roleParam !== 'stable' && roleParam !== 'canary') return void respond(ctx, ex, Errors.badRole());
    const role: Role = roleParam;
    const file = artifactPath(ctx.config.dataDir, id);
    if (!MODEL_ID.test(id) || !existsSync(file)) return void respond(ctx, ex, Errors.modelNotFound(id.slice(0, 80)));
    activateArtifact(ctx.scorer, file, role).then(
      (r) => ctx.answer(ex, 200, `activated ${r.modelId} as ${role}, generation ${r.generation}\n`, [TEXT], r.modelId),
      (e: unknown) => respond(ctx, ex, loadFailure(e)),
    );
  });

  app.post('/admin/reload', (res, req) => {
    const refused = gate(remoteAddress(res), req.getHeader('authorization'));
    const ex = ctx.open(res, 'admin');
    if (refused) return void respond(ctx, ex, refused);
    ctx.onReload().then(
      () => ctx.answer(ex, 200, `serving ${ctx.scorer.active()?.modelId ?? 'nothing'}\n`, [TEXT]),
      (e: unknown) => respond(ctx, ex, loadFailure(e)),
    );
  });
}
