// /admin/*: bearer token (constant-time compare), loopback clients only by
// default, disabled (404) when no token is configured.
import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { TemplatedApp } from 'uWebSockets.js';
import { artifactPath } from '../model/registry';
import type { Role } from '../scoring/scorer';
import { activateArtifact, isBadArtifact } from '../scoring/activation';
import { addressSet, LOOPBACK } from './client-address';
import { Errors, isMovrecError } from '../errors';
import type { ExperimentSpec } from '../release/controller';
import type { ServerContext } from './context';
import { remoteAddress } from './respond';

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

/** A refusal's status and one line: a coded error's own status, else 500. */
function failure(e: unknown): { status: number; message: string } {
  const message = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
  return { status: isMovrecError(e) && e.status !== undefined ? e.status : 500, message };
}
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

// Hashing both sides gives equal lengths, which timingSafeEqual requires, without leaking the token's length.
const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

type Gate = { status: 401 | 403 | 404; message: string; headers: (readonly [string, string])[] } | null;

export function adminRoutes(app: TemplatedApp, ctx: ServerContext): void {
  const token = ctx.config.serve.adminToken;
  const want = token === null ? null : digest(token);
  const loopback = addressSet(LOOPBACK, 'loopback');
  const loopbackOnly = ctx.config.serve.adminLoopbackOnly;

  const gate = (address: string, authorization: string): Gate => {
    if (want === null)
      return { status: 404, message: 'admin routes are disabled (serve.adminToken is not set)', headers: [] };
    if (loopbackOnly && !loopback.has(address))
      return { status: 403, message: 'admin routes answer loopback clients only', headers: [] };
    const m = /^Bearer (.+)$/.exec(authorization);
    if (!m || !timingSafeEqual(digest(m[1]!), want))
      return { status: 401, message: 'a valid bearer token is required', headers: [['WWW-Authenticate', 'Bearer']] };
    return null;
  };

  app.post('/admin/models/:id/activate', (res, req) => {
    const id = req.getParameter(0) ?? '';
    const roleParam = req.getQuery('role') ?? 'stable';
    const percentParam = req.getQuery('percent') ?? '';
    const refused = gate(remoteAddress(res), req.getHeader('authorization'));
    const ex = ctx.open(res, 'admin');
    if (refused) return void ctx.answer(ex, refused.status, `${refused.message}\n`, [TEXT, ...refused.headers]);
    if (roleParam !== 'stable' && roleParam !== 'canary')
      return void ctx.answer(ex, 400, 'role must be stable or canary\n', [TEXT]);
    const role: Role = roleParam;
    const file = artifactPath(ctx.config.dataDir, id);
    if (!MODEL_ID.test(id) || !existsSync(file))
      return void ctx.answer(ex, 404, `model ${id.slice(0, 80)} not found\n`, [TEXT]);
    if (percentParam !== '' && role !== 'canary')
      return void ctx.answer(ex, 400, 'percent applies to role=canary only\n', [TEXT]);
    const percent = percentParam === '' ? undefined : Number(percentParam);
    if (percent !== undefined && !(percent > 0 && percent <= 100))
      return void ctx.answer(ex, 400, `percent must be a number in (0, 100], got "${percentParam.slice(0, 20)}"\n`, [
        TEXT,
      ]);
    const release = ctx.release;
    if (role === 'canary' && release) {
      release.proposeCanary(id, { percent, reason: 'admin route' }).then(
        (c) => ctx.answer(ex, 200, `canary ${c.modelId} on ${c.percent}% of users\n`, [TEXT], c.modelId),
        (e: unknown) => {
          const f = failure(e);
          ctx.answer(ex, isBadArtifact(e) ? 422 : f.status, `${f.message}\n`, [TEXT]);
        },
      );
      return;
    }
    activateArtifact(ctx.scorer, file, role).then(
      (r) => {
        if (role === 'stable') release?.stableLoaded();
        ctx.answer(ex, 200, `activated ${r.modelId} as ${role}, generation ${r.generation}\n`, [TEXT], r.modelId);
      },
      (e: unknown) => {
        const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
        ctx.answer(ex, isBadArtifact(e) ? 422 : 500, `${msg}\n`, [TEXT]);
      },
    );
  });

  app.post('/admin/reload', (res, req) => {
    const refused = gate(remoteAddress(res), req.getHeader('authorization'));
    const ex = ctx.open(res, 'admin');
    if (refused) return void ctx.answer(ex, refused.status, `${refused.message}\n`, [TEXT, ...refused.headers]);
    ctx.onReload().then(
      () => ctx.answer(ex, 200, `serving ${ctx.scorer.active()?.modelId ?? 'nothing'}\n`, [TEXT]),
      (e: unknown) => {
        const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
        ctx.answer(ex, isBadArtifact(e) ? 422 : 500, `${msg}\n`, [TEXT]);
      },
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
      if (refused) return void ctx.answer(ex, refused.status, `${refused.message}\n`, [TEXT, ...refused.headers]);
      const release = ctx.release;
      if (!release) return void ctx.answer(ex, 404, 'this server runs no release controller\n', [TEXT]);
      let p: Promise<unknown>;
      try {
        p = act(release, (k) => params.get(k) ?? '');
      } catch (e) {
        p = Promise.reject(e);
      }
      p.then(
        (body) => ctx.answer(ex, 200, `${JSON.stringify(body)}\n`, [JSON_TYPE]),
        (e: unknown) => {
          const f = failure(e);
          ctx.answer(ex, f.status, `${f.message}\n`, [TEXT]);
        },
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
