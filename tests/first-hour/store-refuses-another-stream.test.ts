// A store records what it holds at its first write (topic, catalog, world) and
// refuses to ingest or serve another stream (exit 2, MOVREC_ERR_STORE_IDENTITY)
// unless --reset wipes it, which it says.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorld, startCatalogApi } from '../../src/sim';
import { worldId } from '../../src/sim/world-id';
import { openStore } from '../../src/store/store';
import { readIdentity } from '../../src/store/identity';
import { createTopic, testBroker, testKafka, uniqueTopic } from '../helpers/kafka';
import { MOVREC, movrec } from '../helpers/cli';

const LINES = ['2022-01-01T10:00:00,1,GET /data/m/a+film+2001/1.mpg', '2022-01-01T10:01:00,2,GET /rate/a+film+2001=4'];

/** movrec as a child, without blocking this process (it serves the catalog APIs the child calls). */
function run(args: string[]): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [MOVREC, ...args], {
    env: { ...process.env, MOVREC_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve) => child.on('exit', (status) => resolve({ status, stderr })));
}

async function heldIdentity(dataDir: string) {
  const store = openStore(dataDir, { readOnly: true });
  try {
    return readIdentity(store);
  } finally {
    await store.close();
  }
}

t.test('another world behind the catalog is refused; --reset wipes and says so', async (t) => {
  const root = t.testdir();
  const worldA = createWorld({ seed: 1, users: 50, movies: 60 });
  const worldB = createWorld({ seed: 2, users: 50, movies: 60 });
  const apiA = await startCatalogApi(worldA, { port: 0 });
  const apiB = await startCatalogApi(worldB, { port: 0 });
  t.teardown(async () => {
    await apiA.close();
    await apiB.close();
  });
  const events = join(root, 'events.log');
  writeFileSync(events, `${LINES.join('\n')}\n`);
  const cfg = (name: string, port: number) => {
    const f = join(root, `${name}.json`);
    writeFileSync(f, JSON.stringify({ catalog: { baseUrl: `http://127.0.0.1:${port}`, retries: 0 } }));
    return f;
  };
  const dataDir = join(root, 'data');
  const a = await run(['ingest', '--from-file', events, '--data-dir', dataDir, '--config', cfg('a', apiA.port)]);
  t.equal(a.status, 0, a.stderr);
  t.same(
    await heldIdentity(dataDir),
    { stream: null, catalog: `http://127.0.0.1:${apiA.port}`, world: worldId(worldA) },
    'the first write records the catalog and the world it names',
  );

  const b = await run(['ingest', '--from-file', events, '--data-dir', dataDir, '--config', cfg('b', apiB.port)]);
  t.equal(b.status, 2, 'another world: exit 2');
  t.match(
    b.stderr.trim(),
    new RegExp(
      `^the store under ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} belongs to another stream: it holds ` +
        `world ${worldId(worldA)} .*not world ${worldId(worldB)} .*` +
        'Use a fresh --data-dir, or --reset to wipe this one$',
    ),
    'one line naming both worlds and the way out',
  );
  t.equal((await heldIdentity(dataDir))?.world, worldId(worldA), 'the store is left as it was');

  const reset = await run([
    'ingest',
    '--reset',
    '--from-file',
    events,
    '--data-dir',
    dataDir,
    '--config',
    cfg('b', apiB.port),
  ]);
  t.equal(reset.status, 0, reset.stderr);
  t.match(reset.stderr, /--reset: wiped the store and models under /, '--reset says what it wiped');
  t.equal((await heldIdentity(dataDir))?.world, worldId(worldB), 'and the store now holds the new world');
});

t.test('another Kafka topic is refused by ingest and by serve', async (t) => {
  const dataDir = join(t.testdir(), 'data');
  const topic = uniqueTopic('movielog-identity');
  await createTopic(topic);
  const producer = testKafka().producer();
  await producer.connect();
  await producer.send({ topic, messages: LINES.map((value) => ({ value })) });
  await producer.disconnect();
  // A group of its own: tests share the broker, and one group over two topics rebalances both.
  const group = `g-${topic}`;
  const first = movrec([
    'ingest',
    '--kafka',
    testBroker(),
    '--topic',
    topic,
    '--group',
    group,
    '--max-lines',
    '2',
    '--data-dir',
    dataDir,
  ]);
  t.equal(first.status, 0, first.stderr);
  t.equal((await heldIdentity(dataDir))?.stream, `kafka:${topic}`, 'the topic is recorded');

  const other = movrec([
    'ingest',
    '--kafka',
    testBroker(),
    '--topic',
    `${topic}-other`,
    '--group',
    group,
    '--data-dir',
    dataDir,
  ]);
  t.equal(other.status, 2, 'ingest of another topic: exit 2');
  t.match(other.stderr, new RegExp(`it holds stream kafka:${topic}, not kafka:${topic}-other`));

  const serve = spawnSync(
    process.execPath,
    [MOVREC, 'serve', '--port', '0', '--kafka', testBroker(), '--topic', `${topic}-other`, '--data-dir', dataDir],
    { encoding: 'utf8', timeout: 60_000, env: { ...process.env, MOVREC_LOG_LEVEL: 'warn' } },
  );
  t.equal(serve.status, 2, 'serve of another topic: exit 2, at once');
  t.match(serve.stderr, /MOVREC_ERR_STORE_IDENTITY|belongs to another stream/);
});
