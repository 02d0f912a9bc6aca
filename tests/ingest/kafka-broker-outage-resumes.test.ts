// The broker goes away in the middle of consumption and comes back on the same
// port with its data: `movrec ingest` survives, reconnects and finishes with the
// state of a clean run, nothing lost and nothing counted twice.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { MOVREC, cleanRun, dataReport } from '../helpers/cli';
import { historyLines } from '../helpers/ingest-lines';
import { privateBroker } from '../helpers/private-broker';

const LINES = 20_000;

t.test(
  'a broker outage mid-consumption: ingest reconnects and resumes to the clean state',
  { timeout: 90_000 },
  async (t) => {
    const broker = await privateBroker();
    t.teardown(() => broker.destroy());
    const lines = await historyLines(LINES, { seed: 31, users: 400, movies: 300 });
    const root = t.testdir();
    const { want } = cleanRun(root, lines);
    t.equal(want.lines, LINES, 'the clean pass read every line');

    const topic = 'movielog-outage';
    const kafka = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    // In slices: one request for every line would pass the broker's message.max.bytes.
    for (let i = 0; i < LINES; i += 2000)
      await producer.send({ topic, messages: lines.slice(i, i + 2000).map((value) => ({ value })) });
    await producer.disconnect();

    // Small transactions stretch consumption so the broker leaves while lines are still being applied.
    // kafkajs's reconnect backoff makes the outage last 10-40 s here, so the run is not left to stop on idle:
    // the test stops it once the store holds every line (the idle limit only backs up the test's own bound).
    const config = join(root, 'config.json');
    writeFileSync(config, JSON.stringify({ ingest: { batchLines: 50 }, kafka: { sessionTimeoutMs: 6000 } }));
    const dir = join(root, 'outage');
    const child: ChildProcess = spawn(
      process.execPath,
      [
        MOVREC,
        'ingest',
        '--data-dir',
        dir,
        '--config',
        config,
        '--kafka',
        broker.address,
        '--topic',
        topic,
        '--group',
        'g-outage',
        '--idle-exit-ms',
        '60000',
      ],
      { env: { ...process.env, MOVREC_LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    t.teardown(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const consuming = new Promise<boolean>((resolve) => {
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('"msg":"consuming"')) resolve(true);
      });
      child.once('exit', () => resolve(false));
    });
    t.ok(await consuming, 'ingest started consuming');

    await broker.stop();
    const during = dataReport(dir);
    t.ok(child.exitCode === null, 'ingest is still running while the broker is away', {
      exitCode: child.exitCode,
      stderr: stderr.slice(-3000),
    });
    t.ok(during.lines < LINES, `the broker left mid-consumption (${during.lines} of ${LINES} lines stored)`);
    const outageAt = stderr.length;
    await broker.start();

    let stored = during.lines;
    const giveUp = Date.now() + 50_000;
    while (stored < LINES && child.exitCode === null && Date.now() < giveUp) {
      await new Promise((r) => setTimeout(r, 2000));
      stored = dataReport(dir).lines;
    }
    t.equal(child.exitCode, null, 'ingest survived the outage and is still running');
    t.equal(stored, LINES, 'after the outage it consumed the rest of the topic');
    child.kill('SIGTERM');
    t.equal(await exited, 0, 'it then stops cleanly on SIGTERM');
    const refused = stderr
      .slice(outageAt)
      .split('\n')
      .filter((l) => /"level":40.*(ECONNREFUSED|cannot connect)/.test(l));
    t.ok(refused.length > 0, `the ingest saw the broker go away and retried (${refused.length} connection warnings)`);
    const got = dataReport(dir);
    t.equal(got.lines, LINES, 'every line stored exactly once');
    t.equal(got.digest, want.digest, 'the state after the outage equals the clean one');
  },
);
