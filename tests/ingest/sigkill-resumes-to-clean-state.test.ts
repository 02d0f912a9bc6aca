// The kill test: `movrec ingest` consuming from the real broker is SIGKILLed
// at random points (at least 10 times) and restarted each time; the final
// state's digest equals that of one clean, uninterrupted pass over the lines.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MOVREC, cleanRun, dataReport } from '../helpers/cli';
import { testBroker, topicWithProducer } from '../helpers/kafka';
import { historyLines } from '../helpers/ingest-lines';

const LINES = 20_000;
const KILLS = 10;
const children = new Set<ChildProcess>();

/**
 * Starts `movrec ingest`; `consuming` resolves once it has committed `commits` transactions (false if it exits first).
 */
function startIngest(
  args: string[],
  commits = 1,
): { child: ChildProcess; consuming: Promise<boolean>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [MOVREC, 'ingest', ...args], {
    env: { ...process.env, MOVREC_LOG_LEVEL: 'debug' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  let err = '';
  const consuming = new Promise<boolean>((resolve) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.split('"msg":"committed"').length - 1 >= commits) resolve(true);
    });
    child.once('exit', () => resolve(false));
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => (children.delete(child), resolve(code))),
  );
  return { child, consuming, exited };
}

t.teardown(() => {
  for (const c of children) c.kill('SIGKILL');
});

t.test('SIGKILL at random points, restart, and the state equals a clean run', async (t) => {
  const lines = await historyLines(LINES, { seed: 11, users: 400, movies: 300 });
  const root = t.testdir();
  const { want } = cleanRun(root, lines);
  // Small transactions stretch consumption over many commits; a short session lets a restart reclaim the partition
  // soon.
  const config = join(root, 'config.json');
  writeFileSync(config, JSON.stringify({ ingest: { batchLines: 100 }, kafka: { sessionTimeoutMs: 6000 } }));

  t.equal(want.lines, LINES, 'the clean pass read every line');

  const { topic, producer } = await topicWithProducer(t, 'movielog-kill');
  // Lines arrive in slices between restarts, so every run has something to consume when it is killed.
  const slice = Math.ceil(LINES / (KILLS + 1));
  let produced = 0;
  const produceSlice = async () => {
    const part = lines.slice(produced, produced + slice);
    produced += part.length;
    if (part.length > 0) await producer.send({ topic, messages: part.map((value) => ({ value })) });
  };

  const dir = join(root, 'killed');
  const args = [
    '--data-dir',
    dir,
    '--config',
    config,
    '--kafka',
    testBroker(),
    '--topic',
    topic,
    '--group',
    `${topic}-g`,
    '--idle-exit-ms',
    '5000',
  ];
  let killsWhileConsuming = 0;
  let killsMidStream = 0;
  let storedBefore = 0;
  for (let k = 0; k < KILLS; k++) {
    await produceSlice();
    // The random point: after 1 to 6 of the slice's ~18 transactions (100 lines each), plus up to 20 ms.
    const commits = 1 + Math.floor(Math.random() * 6);
    const run = startIngest(args, commits);
    const started = await Promise.race([
      run.consuming,
      new Promise<boolean>((r) => setTimeout(() => r(false), 60_000)),
    ]);
    const delay = Math.floor(Math.random() * 20);
    await new Promise((r) => setTimeout(r, delay));
    const stillRunning = run.child.exitCode === null;
    run.child.kill('SIGKILL');
    await run.exited;
    if (started && stillRunning) killsWhileConsuming++;
    const stored = dataReport(dir).lines;
    t.ok(
      stored >= storedBefore && stored <= produced,
      `kill ${k + 1}: the store holds a prefix (${stored} of ${produced} produced)`,
    );
    // Killed with lines produced but not yet committed: the restart must pick up mid-stream.
    if (stored < produced) killsMidStream++;
    storedBefore = stored;
    t.comment(
      `kill ${k + 1}: ${started ? `${delay} ms after commit ${commits}` : 'before its commits'}, ` +
        `${stored} of ${produced} lines stored`,
    );
  }
  t.ok(killsWhileConsuming >= KILLS, `${killsWhileConsuming} kills landed while consuming`);
  t.ok(killsMidStream >= KILLS / 2, `${killsMidStream} kills cut the stream with produced lines not yet stored`);

  while (produced < LINES) await produceSlice();
  const last = startIngest(args);
  t.equal(await last.exited, 0, 'the last run drains the topic and exits by itself');
  const got = dataReport(dir);
  t.equal(got.lines, LINES, 'every line stored exactly once');
  t.equal(got.digest, want.digest, 'the killed-and-restarted state equals the clean one');
});
