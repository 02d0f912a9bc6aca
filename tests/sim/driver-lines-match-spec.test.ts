import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorld, drive } from '../../src/sim';
import { LIST_COMPACT, parseLine, REFUSED_TEXT, TIMEOUT_TEXT, validTime } from './spec-lines';

const world = createWorld({ seed: 3, users: 300, movies: 500 });

t.test(
  'driven requests are written as the spec lines: 200 with the list, 0 on timeout, the HTTP status otherwise',
  async (t) => {
    const seen: number[] = [];
    const server = createServer((req, res) => {
      const user = Number(/^\/recommend\/(\d+)$/.exec(req.url ?? '')?.[1]);
      seen.push(user);
      if (user % 3 === 0) {
        // Too slow: the driver must give up at its deadline.
        setTimeout(() => res.end(world.movieIds.slice(0, 20).join(',')), 2000).unref();
        return;
      }
      if (user % 3 === 1) {
        res.writeHead(500);
        res.end('oops');
        return;
      }
      res.end(world.movieIds.slice(0, 20).join(','));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.teardown(() => {
      server.closeAllConnections();
      server.close();
    });
    const port = (server.address() as AddressInfo).port;
    const file = join(t.testdir(), 'live.log');
    const s = await drive(world, {
      target: `http://127.0.0.1:${port}`,
      deadlineMs: 500,
      maxRequests: 60,
      recommendShare: 1,
      sessions: 60,
      concurrency: 8,
      out: file,
      listStyle: 'compact',
    });
    t.equal(s.requests, 60);
    t.ok(s.timeouts > 0 && s.errors > 0 && s.ok > 0, `all outcomes occur: ${JSON.stringify(s)}`);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const requests = lines.map(parseLine).filter((p) => p?.kind === 'request');
    t.equal(requests.length, 60, 'one line per request');
    for (const line of lines) {
      const p = parseLine(line);
      t.ok(p && validTime(p.time), `fits the spec: ${line.slice(0, 100)}`);
      if (p?.kind !== 'request') continue;
      t.ok(p.status === 200 || p.result!.includes(`127.0.0.1:${port}`), `names the service: ${line}`);
      // A busy machine may push a fast answer past the deadline too; a slow one can never beat it.
      if (p.user % 3 === 0) t.equal(p.status, 0, `a slow answer is a timeout: ${line}`);
      if (p.status === 0) {
        t.match(p.result, TIMEOUT_TEXT);
        t.match(p.result, /after 500 ms$/);
        t.ok(p.ms! >= 500);
      } else if (p.status === 500) {
        t.equal(p.user % 3, 1, `only the failing users get 500: ${line}`);
        t.match(p.result, /500/);
      } else {
        t.equal(p.status, 200, line);
        t.equal(p.user % 3, 2, line);
        t.match(p.result, LIST_COMPACT);
        t.equal(p.result, world.movieIds.slice(0, 20).join(','), line);
      }
    }
    t.same(
      [...new Set(seen)].sort(),
      [...new Set(requests.map((p) => p!.user))].sort(),
      'the lines name the users the server saw',
    );
  },
);

t.test('a service that is down gives status 0 Connection refused lines', async (t) => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  const file = join(t.testdir(), 'down.log');
  const s = await drive(world, {
    target: `http://127.0.0.1:${port}`,
    maxRequests: 20,
    recommendShare: 1,
    sessions: 20,
    out: file,
  });
  t.equal(s.refused, 20);
  t.equal(s.successRate, 0);
  const requests = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map(parseLine)
    .filter((p) => p?.kind === 'request');
  t.equal(requests.length, 20);
  for (const p of requests) {
    t.equal(p!.status, 0);
    t.match(p!.result, REFUSED_TEXT);
    t.equal(p!.result, `Connection refused: 127.0.0.1/127.0.0.1:${port}`);
  }
});
