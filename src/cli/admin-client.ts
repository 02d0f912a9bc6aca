// The CLI's side of the admin routes: release commands act on a RUNNING
// server (its router, guard and loaded models live in that process), so they
// call its /admin routes on loopback with the configured bearer token rather
// than writing the store behind its back.
import type { Config } from '../config/load';
import { Errors, MovrecError } from '../errors';

export const SERVER_OPTION = {
  server: {
    type: 'string' as const,
    valueName: 'URL',
    description:
      'the running server (default http://127.0.0.1:<serve.port>); the token is serve.adminToken / $MOVREC_ADMIN_TOKEN',
  },
};

export async function admin(
  config: Readonly<Config>,
  server: string | undefined,
  method: 'GET' | 'POST',
  path: string,
): Promise<string> {
  const token = config.serve.adminToken;
  if (token === null)
    throw Errors.config('serve.adminToken is not set (or $MOVREC_ADMIN_TOKEN): the admin routes are off');
  const base = (server ?? `http://127.0.0.1:${config.serve.port}`).replace(/\/$/, '');
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  } catch (e) {
    throw Errors.adminUnreachable(base, (e as Error).message);
  }
  const body = await res.text();
  if (res.status === 200) return body;
  const msg = `${base}${path.split('?')[0]}: ${res.status} ${body.trim().split('\n')[0]}`;
  if (res.status === 400) throw Errors.releasePlan(msg);
  if (res.status === 409) throw Errors.releaseConflict(msg);
  if (res.status === 404 && path.startsWith('/admin/models/')) throw Errors.modelNotFound(msg);
  throw new MovrecError(
    res.status === 401
      ? 'MOVREC_ERR_UNAUTHORIZED'
      : res.status === 403
        ? 'MOVREC_ERR_FORBIDDEN'
        : 'MOVREC_ERR_RELEASE_CONFLICT',
    msg,
  );
}
