import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorld, drive } from '../../src/sim';
import { parseLine } from './spec-lines';

const START = Date.UTC(2022, 1, 1);
const world = createWorld({ seed: 51, users: 300, movies: 500 });

t.test('a request flood hits the service with a burst of requests for one user, from one client', async (t) => {
  const perUser = new Map<number, number>();
  const clients = new Set<string>();
  const server = createServer((req, res) => {
    const user = Number(/^\/recommend\/(\d+)$/.exec(req.url ?? '')?.[1]);
    perUser.set(user, (perUser.get(user) ?? 0) + 1);
    clients.add(req.socket.remoteAddress ?? '');
    res.end(world.movieIds.slice(0, 20).join(','));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const file = join(t.testdir(), 'flood.log');
  // A generous deadline: on a loaded machine a request still queued in the agent when the 600 ms
  // deadline passes is destroyed unsent, and this test is about the flood reaching the service.
  const deadlineMs = 30_000;
  const s = await drive(world, {
    target,
    deadlineMs,
    sessions: 50,
    recommendShare: 0.3,
    maxRequests: 400,
    out: file,
    flood: { at: START + 60_000, requests: 250, user: 7 },
  });
  t.ok(s.requests >= 250);
  t.ok((perUser.get(7) ?? 0) >= 250, `the service saw the flood (${perUser.get(7)} for user 7)`);
  t.same([...clients], ['127.0.0.1'], 'all from one client address');
  const flood = readFileSync(file, 'utf8')
    .split('\n')
    .map(parseLine)
    .filter((p) => p?.kind === 'request' && p.user === 7);
  t.ok(flood.length >= 250, 'every flood request is a stream line');
  const times = flood.map((p) => Date.parse(`${p!.time}Z`));
  t.ok(Math.min(...times) >= START + 60_000, 'it starts at the given time');

  perUser.clear();
  await drive(world, { target, deadlineMs, sessions: 50, recommendShare: 0.3, maxRequests: 400 });
  t.ok((perUser.get(7) ?? 0) < 20, `without the flag user 7 asks like anyone (${perUser.get(7) ?? 0})`);
});
