// /admin/*: bearer token (constant-time compare), loopback clients only by
// default, disabled (404) when no token is configured.
import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { TemplatedApp } from 'uWebSockets.js';
import { artifactPath } from '../model/registry';
import type { Role } from '../scoring/scorer';
import { activateArtifact, isBadArtifact } from '../scoring/activation';
import { addressSet, LOOPBACK } from './client-address';
import type { ServerContext } from './context';
import { remoteAddress } from './respond';

const TEXT: readonly [string, string] = ['Content-Type', 'text/plain'];
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
    const refused = gate(remoteAddress(res), req.getHeader('authorization'));
    const ex = ctx.open(res, 'admin');
    if (refused) return void ctx.answer(ex, refused.status, `${refused.message}\n`, [TEXT, ...refused.headers]);
    if (roleParam !== 'stable' && roleParam !== 'canary')
      return void ctx.answer(ex, 400, 'role must be stable or canary\n', [TEXT]);
    const role: Role = roleParam;
    const file = artifactPath(ctx.config.dataDir, id);
    if (!MODEL_ID.test(id) || !existsSync(file))
      return void ctx.answer(ex, 404, `model ${id.slice(0, 80)} not found\n`, [TEXT]);
    activateArtifact(ctx.scorer, file, role).then(
      (r) => ctx.answer(ex, 200, `activated ${r.modelId} as ${role}, generation ${r.generation}\n`, [TEXT], r.modelId),
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
}
