// The default limits, with the simulator NOT trusted (it calls from another
// host in the course): a simulator-like client pacing its requests is never
// refused, while a second address flooding at once is cut off with 429s.
import t from 'tap';
import { Agent, request } from 'node:http';
import { defaults } from '../../config/defaults';
import { startTestServer } from './harness';
import { USERS } from './fixture';

function get(port: number, path: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('under the default limits a paced client is never throttled and a flooding one is', async (t) => {
  const s = await startTestServer(t, { 'rateLimit.trusted': [] });
  t.equal(s.config.rateLimit.points, defaults.rateLimit.points, 'the default allowance');
  // Two client addresses on loopback: the limiter keys by address.
  const simulator = new Agent({ keepAlive: true, maxSockets: 4, localAddress: '127.0.0.1' } as ConstructorParameters<
    typeof Agent
  >[0]);
  const flooder = new Agent({ keepAlive: true, maxSockets: 32, localAddress: '127.0.0.2' } as ConstructorParameters<
    typeof Agent
  >[0]);
  t.teardown(() => {
    simulator.destroy();
    flooder.destroy();
  });

  const paced: Promise<number>[] = [];
  const pacing = (async () => {
    // About 50 requests/s for 1.2 s: several times the course simulator's share of a 1,000 lines/s stream.
    for (let i = 0; i < 60; i++) {
      paced.push(get(s.port, `/recommend/${USERS.adult.id}`, simulator));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const flood = await Promise.all(
    Array.from({ length: 3 * defaults.rateLimit.points }, () => get(s.port, `/recommend/${USERS.minor.id}`, flooder)),
  );
  await pacing;
  const pacedStatuses = await Promise.all(paced);

  t.same([...new Set(pacedStatuses)], [200], 'every paced request answered 200');
  const refused = flood.filter((x) => x === 429).length;
  t.ok(refused >= defaults.rateLimit.points, `the flood of ${flood.length} in one go got ${refused} 429s`);
  t.ok(flood.filter((x) => x === 200).length >= 1, 'the flooder got its allowance first');
});
