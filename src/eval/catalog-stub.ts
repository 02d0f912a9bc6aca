// A catalog API (docs/contract.md §3: /user/<id>, /movie/<id>, comma-separated bulk,
// 404 for unknown ids) over fixed records, so real data is ingested through
// the same catalog client the service uses.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CatalogStub {
  baseUrl: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function startCatalogStub(records: {
  users: ReadonlyMap<number, object>;
  movies: ReadonlyMap<string, object>;
}): Promise<CatalogStub> {
  const lookup = (kind: string, id: string): object | undefined =>
    kind === 'user' ? records.users.get(Number(id)) : records.movies.get(id);
  const server = createServer((req, res) => {
    const m = /^\/(user|movie)\/([^?#]+)$/.exec(req.url ?? '');
    if (req.method !== 'GET' || !m) return send(res, 404, { message: 'no such route' });
    let raw: string;
    try {
      raw = decodeURIComponent(m[2]!);
    } catch {
      return send(res, 400, { message: 'malformed id' });
    }
    if (!raw.includes(',')) {
      const rec = lookup(m[1]!, raw);
      return rec ? send(res, 200, rec) : send(res, 404, { message: `${m[1]} not found`, id: raw });
    }
    send(
      res,
      200,
      raw.split(',').map((id) => lookup(m[1]!, id) ?? { message: `${m[1]} not found`, id }),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve({
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
