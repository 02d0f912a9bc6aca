// Ingest from a broker that requires SASL/PLAIN: the right credentials consume
// every line; wrong or missing credentials end the run at once with a one-line error.
import t from 'tap';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { MOVREC, cleanRun, dataReport } from '../helpers/cli';
import { historyLines } from '../helpers/ingest-lines';
import { privateBroker } from '../helpers/private-broker';

const LINES = 3000;
const USER = 'movrec';
const PASSWORD = 'pl4in-s3cret';

/** Runs the built CLI without blocking, killed if it outlives `ms`. */
function ingest(
  args: string[],
  env: NodeJS.ProcessEnv,
  ms: number,
): Promise<{ code: number | null; stderr: string; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MOVREC, 'ingest', ...args], {
      env: { ...process.env, MOVREC_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => ((killed = true), child.kill('SIGKILL')), ms);
    child.once('exit', (code) => (clearTimeout(timer), resolve({ code, stderr, killed })));
  });
}

t.test(
  'SASL/PLAIN: right credentials consume everything, a wrong password fails fast',
  { timeout: 90_000 },
  async (t) => {
    const broker = await privateBroker({ sasl: `${USER}:${PASSWORD}` });
    t.teardown(() => broker.destroy());
    const lines = await historyLines(LINES, { seed: 23, users: 150, movies: 100 });
    const root = t.testdir();
    const { want } = cleanRun(root, lines);

    const topic = 'movielog-sasl';
    const kafka = new Kafka({
      brokers: [broker.address],
      sasl: { mechanism: 'plain', username: USER, password: PASSWORD },
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: lines.map((value) => ({ value })) });
    await producer.disconnect();

    const base = ['--kafka', broker.address, '--topic', topic, '--idle-exit-ms', '3000'];
    const good = await ingest(
      [...base, '--data-dir', join(root, 'good'), '--group', 'g-good'],
      { MOVREC_KAFKA_SASL_USERNAME: USER, MOVREC_KAFKA_SASL_PASSWORD: PASSWORD },
      60_000,
    );
    t.equal(good.code, 0, 'the authenticated run drains the topic and exits', { stderr: good.stderr.slice(-2000) });
    const got = dataReport(join(root, 'good'));
    t.equal(got.lines, LINES, 'every line consumed once');
    t.equal(got.digest, want.digest, 'the state equals a clean run over the same lines');

    const config = join(root, 'wrong.json');
    writeFileSync(
      config,
      JSON.stringify({ kafka: { sasl: { mechanism: 'plain', username: USER, password: 'not-the-password' } } }),
    );
    const bad = await ingest(
      [...base, '--data-dir', join(root, 'bad'), '--group', 'g-bad', '--config', config],
      {},
      45_000,
    );
    t.notOk(bad.killed, 'a wrong password does not hang the ingest');
    t.not(bad.code, 0, 'a wrong password exits non-zero');
    const last = bad.stderr.trim().split('\n').pop() ?? '';
    t.match(
      last,
      /^movrec ingest: Kafka SASL authentication failed for user "movrec" at 127\.0\.0\.1:\d+: /,
      `one-line error: ${last}`,
    );
    t.notMatch(bad.stderr, /not-the-password/, 'the password is not echoed');
    const wrongUser = await ingest(
      [...base, '--data-dir', join(root, 'bad2'), '--group', 'g-bad2'],
      { MOVREC_KAFKA_SASL_USERNAME: 'mallory', MOVREC_KAFKA_SASL_PASSWORD: PASSWORD },
      45_000,
    );
    t.notOk(wrongUser.killed, 'an unknown user does not hang the ingest');
    t.not(wrongUser.code, 0, 'an unknown user exits non-zero');
    t.match(wrongUser.stderr.trim().split('\n').pop() ?? '', /SASL authentication failed for user "mallory"/);
    const none = await ingest([...base, '--data-dir', join(root, 'bad3'), '--group', 'g-bad3'], {}, 45_000);
    t.notOk(none.killed, 'no credentials at all does not hang the ingest');
    t.not(none.code, 0, 'no credentials exits non-zero');
    t.match(
      none.stderr.trim().split('\n').pop() ?? '',
      /^movrec ingest: cannot subscribe to Kafka topic movielog-sasl at 127\.0\.0\.1:\d+: \S/,
    );
  },
);
