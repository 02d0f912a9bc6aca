import t from 'tap';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWorld, drive, oracleTopK, type World } from '../../src/sim';

// Three tiny recommenders on loopback: the world's own oracle, global popularity, and random picks.
function serve(answer: (user: number) => string[]): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const user = Number(/^\/recommend\/(\d+)$/.exec(req.url ?? '')?.[1]);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(answer(user).join(','));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    ),
  );
}

function popularTop(world: World): string[] {
  return [...world.moviePopularity.keys()]
    .sort((a, b) => world.moviePopularity[b]! - world.moviePopularity[a]!)
    .slice(0, 20)
    .map((m) => world.movieIds[m]!);
}

t.test(
  'users watch from oracle lists more than from popularity lists, and from those more than from random ones',
  async (t) => {
    const world = createWorld({ seed: 21, users: 400, movies: 2000 });
    const popular = popularTop(world);
    let r = 12345;
    const random = (): string[] =>
      Array.from({ length: 20 }, () => {
        r = (Math.imul(r, 1103515245) + 12345) >>> 0;
        return world.movieIds[r % world.movieIds.length]!;
      });
    const recommenders = {
      oracle: await serve((u) => oracleTopK(world, u, 20)),
      popularity: await serve(() => popular),
      random: await serve(random),
    };
    t.teardown(() => {
      for (const x of Object.values(recommenders)) x.server.close();
    });
    const share: Record<string, number> = {};
    for (const [name, rec] of Object.entries(recommenders)) {
      const s = await drive(world, {
        target: rec.url,
        maxRequests: 700,
        sessions: 200,
        recommendShare: 1,
        concurrency: 16,
        oracleSample: 0.2,
      });
      t.equal(s.successRate, 1, `${name}: every request answered`);
      t.ok(s.lists >= 650, `${name}: lists served (${s.lists})`);
      share[name] = s.watchShare;
      t.comment(
        `${name}: expected share ${s.expectedShare.toFixed(3)}, oracle ` +
          `${s.oracleExpectedShare.toFixed(3)} over ${s.sampledLists} lists`,
      );
      // The oracle server does not know what each user watched; the scoreboard's oracle does, so it is a little ahead.
      if (name === 'oracle')
        t.ok(
          s.expectedShare <= s.oracleExpectedShare + 0.01 && s.expectedShare > s.oracleExpectedShare - 0.1,
          'the oracle server is close to the scoreboard oracle',
        );
      else t.ok(s.expectedShare < s.oracleExpectedShare, `${name}: scoreboard puts it below the oracle`);
    }
    t.comment(`watched-from-list shares: ${JSON.stringify(share)}`);
    t.ok(share.oracle! > share.popularity! + 0.12, 'oracle clearly above popularity');
    t.ok(share.popularity! > share.random! + 0.05, 'popularity above random');
  },
);
