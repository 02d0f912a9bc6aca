// The catalog APIs of docs/contract.md §3 over HTTP: /user/<id>, /movie/<id>, bulk (comma-separated), 404s, and a
// per-client rate limit; plus /world, the world's id (see world-id.ts).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { movieRecord, userRecord } from './catalog';
import type { World } from './world';
import { worldId } from './world-id';

export const BULK_MAX = 200;

export interface CatalogApiOptions {
  port: number;
  host?: string;
  /** Requests per second each client address may make (a bulk request counts once); burst of the same size. */
  ratePerSecond?: number;
}

export interface CatalogApi {
  port: number;
  close(): Promise<void>;
}

class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly rate: number) {}

  take(client: string, now: number): boolean {
    let b = this.buckets.get(client);
    if (!b) {
      b = { tokens: this.rate, at: now };
      this.buckets.set(client, b);
    }
    b.tokens = Math.min(this.rate, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function lookup(world: World, kind: 'user' | 'movie', id: string): Record<string, unknown> | null {
  if (kind === 'user')
    return /^\d{1,10}$/.test(id) ? (userRecord(world, Number(id)) as unknown as Record<string, unknown> | null) : null;
  const m = world.movieIndex.get(id);
  return m === undefined ? null : movieRecord(world, m);
}

function handle(world: World, limiter: TokenBuckets, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET') return send(res, 405, { message: `method ${String(req.method)} not allowed` });
  // Not in the course's API: the simulator names its world so a store can refuse another one's stream.
  if (req.url === '/world') return send(res, 200, { id: worldId(world) });
  const m = /^\/(user|movie)\/([^?#]+)$/.exec(req.url ?? '');
  if (!m) return send(res, 404, { message: 'no such route' });
  if (!limiter.take(req.socket.remoteAddress ?? '', Date.now())) {
    return send(res, 429, { message: 'rate limit exceeded: slow down' }, { 'retry-after': '1' });
  }
  const kind = m[1] as 'user' | 'movie';
  let raw: string;
  try {
    raw = decodeURIComponent(m[2]!);
  } catch {
    return send(res, 400, { message: 'malformed id' });
  }
  if (!raw.includes(',')) {
    const rec = lookup(world, kind, raw);
    return rec ? send(res, 200, rec) : send(res, 404, { message: `${kind} not found`, id: raw.slice(0, 200) });
  }
  const ids = raw.split(',');
  if (ids.length > BULK_MAX) return send(res, 400, { message: `at most ${BULK_MAX} ids per request` });
  // Bulk answers keep the request's order; an unknown id gets an error object in its place.
  send(
    res,
    200,
    ids.map((id) => lookup(world, kind, id) ?? { message: `${kind} not found`, id: id.slice(0, 200) }),
  );
}

export function startCatalogApi(world: World, opts: CatalogApiOptions): Promise<CatalogApi> {
  const limiter = new TokenBuckets(opts.ratePerSecond ?? 100);
  const server = createServer((req, res) => handle(world, limiter, req, res));
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
