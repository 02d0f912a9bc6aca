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
import type { ExperimentSpec } from '../release/controller';
import type { ServerContext } from './context';
import { remoteAddress, respond } from './respond';

const TEXT: readonly [string, string] = ['Content-Type', 'text/plain'];
const JSON_TYPE: readonly [string, string] = ['Content-Type', 'application/json'];
const ARM = /^([a-z0-9][a-z0-9-]{0,39})=([A-Za-z0-9][A-Za-z0-9._-]{0,127}):(\d+(?:\.\d+)?)$/;

/** `a=MODEL:50,b=MODEL:50` (the CLI's repeated --arm, joined) into arms; null when one does not parse. */
export function parseArms(text: string): ExperimentSpec['arms'] | null {
  const arms: ExperimentSpec['arms'] = [];
  for (const part of text.split(',')) {
    const m = ARM.exec(part.trim());
    if (!m) return null;
    arms.push({ name: m[1]!, modelId: m[2]!, percent: Number(m[3]) });
  }
  return arms;
}

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
    const percentParam = req.getQuery('percent') ?? '';
    const refused = gate(remoteAddress(res), req.getHeader('authorization'));
    const ex = ctx.open(res, 'admin');
    if (refused) return void respond(ctx, ex, refused);
    if (roleParam !== 'stable' && roleParam !== 'canary') return void respond(ctx, ex, Errors.badRole());
    const role: Role = roleParam;
    const file = artifactPath(ctx.config.dataDir, id);
    if (!MODEL_ID.test(id) || !existsSync(file)) return void respond(ctx, ex, Errors.modelNotFound(id.slice(0, 80)));
    if (percentParam !== '' && role !== 'canary')
      return void respond(ctx, ex, Errors.releasePlan('percent applies to role=canary only'));
    const percent = percentParam === '' ? undefined : Number(percentParam);
    if (percent !== undefined && !(percent > 0 && percent <= 100))
      return void respond(
        ctx,
        ex,
        Errors.releasePlan(`percent must be a number in (0, 100], got "${percentParam.slice(0, 20)}"`),
      );
    const release = ctx.release;
    if (role === 'canary' && release) {
      release.proposeCanary(id, { percent, reason: 'admin route' }).then(
        (c) => ctx.answer(ex, 200, `canary ${c.modelId} on ${c.percent}% of users\n`, [TEXT], c.modelId),
        (e: unknown) => respond(ctx, ex, loadFailure(e)),
      );
      return;
    }
    activateArtifact(ctx.scorer, file, role).then(
      (r) => {
        if (role === 'stable') release?.stableLoaded();
        ctx.answer(ex, 200, `activated ${r.modelId} as ${role}, generation ${r.generation}\n`, [TEXT], r.modelId);
      },
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

  /** An admin route that needs the release controller and answers JSON. */
  const releaseRoute = (
    method: 'get' | 'post',
    path: string,
    act: (release: NonNullable<ServerContext['release']>, query: (k: string) => string) => Promise<unknown>,
  ): void => {
    app[method](path, (res, req) => {
      const refused = gate(remoteAddress(res), req.getHeader('authorization'));
      const params = new URLSearchParams(req.getQuery() ?? '');
      const ex = ctx.open(res, 'admin');
      if (refused) return void respond(ctx, ex, refused);
      const release = ctx.release;
      if (!release) return void respond(ctx, ex, Errors.notFound(path));
      let p: Promise<unknown>;
      try {
        p = act(release, (k) => params.get(k) ?? '');
      } catch (e) {
        p = Promise.reject(e);
      }
      p.then(
        (body) => ctx.answer(ex, 200, `${JSON.stringify(body)}\n`, [JSON_TYPE]),
        (e: unknown) => respond(ctx, ex, loadFailure(e)),
      );
    });
  };

  releaseRoute('get', '/admin/release', async (r) => r.status());
  releaseRoute('post', '/admin/canary/promote', async (r) => {
    await r.promote('operator');
    return r.status();
  });
  releaseRoute('post', '/admin/canary/rollback', async (r) => {
    await r.rollback('operator', 'operator');
    return r.status();
  });
  releaseRoute('get', '/admin/experiments', async (r) => r.status().experiment);
  releaseRoute('post', '/admin/experiments', (r, q) => {
    const arms = parseArms(q('arms'));
    if (!arms)
      throw Errors.releasePlan(
        `arms must be NAME=MODEL_ID:PERCENT,NAME=MODEL_ID:PERCENT, got "${q('arms').slice(0, 120)}"`,
      );
    const minUsers = q('min-users');
    if (minUsers !== '' && !/^\d{1,9}$/.test(minUsers))
      throw Errors.releasePlan(`min-users must be a whole number, got "${minUsers.slice(0, 20)}"`);
    return r.startExperiment({
      name: q('name'),
      arms,
      ...(q('metric') ? { metric: q('metric') } : {}),
      ...(minUsers ? { minUsers: Number(minUsers) } : {}),
    });
  });
  releaseRoute('post', '/admin/experiments/stop', (r) => r.stopExperiment());
}
