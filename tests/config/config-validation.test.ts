import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, redacted } from '../../src/config/load';
import { movrec } from '../helpers/cli';

t.test('defaults validate and are frozen deeply', async (t) => {
  const c = loadConfig({ env: {} });
  t.equal(c.serve.port, 8082);
  t.ok(Object.isFrozen(c));
  t.ok(Object.isFrozen(c.kafka.brokers));
  t.throws(() => {
    (c.serve as { port: number }).port = 1;
  });
});

t.test('a wrong type names the path', async (t) => {
  t.throws(() => loadConfig({ env: {}, overrides: { 'kafka.brokers': [] } }), {
    code: 'MOVREC_ERR_CONFIG',
    message: /^kafka\.brokers must be a non-empty list of host:port/,
  });
  t.throws(() => loadConfig({ env: {}, overrides: { 'kafka.brokers': ['nohost'] } }), {
    message: /kafka\.brokers must be/,
  });
  t.throws(() => loadConfig({ env: {}, overrides: { 'serve.port': 70000 } }), {
    message: /^serve\.port must be an integer from 0 to 65535/,
  });
  t.throws(() => loadConfig({ env: {}, overrides: { 'rateLimit.keyBy': 'cookie' } }), {
    message: /^rateLimit\.keyBy must be one of ip, user/,
  });
  t.throws(() => loadConfig({ env: {}, overrides: { 'catalog.baseUrl': 'ftp://x' } }), {
    message: /^catalog\.baseUrl must be an http\(s\) URL/,
  });
  t.throws(() => loadConfig({ env: {}, overrides: { 'retrain.nice': 25 } }), {
    message: /^retrain\.nice must be an integer from 0 to 19/,
  });
  t.throws(() => loadConfig({ env: {}, overrides: { 'retrain.everyMinutes': -1 } }), {
    message: /^retrain\.everyMinutes must be a number from 0 to 525600/,
  });
  t.throws(() => loadConfig({ env: {}, overrides: { 'kafka.startFrom': 'yesterday' } }), {
    message: /^kafka\.startFrom must be earliest, latest or an ISO time/,
  });
});

t.test('unknown settings are refused by path', async (t) => {
  const dir = t.testdir({ 'c.json': JSON.stringify({ serve: { prot: 1 } }) });
  t.throws(() => loadConfig({ env: {}, file: join(dir, 'c.json') }), {
    message: /^serve\.prot is not a known setting/,
  });
});

t.test('a config file merges over defaults; the environment table overrides it', async (t) => {
  const dir = t.testdir({ 'c.json': JSON.stringify({ serve: { port: 9000 }, kafka: { topic: 'movielog7' } }) });
  const file = join(dir, 'c.json');
  const c = loadConfig({ env: { MOVREC_KAFKA_BROKERS: 'a:1, b:2', MOVREC_PORT: '9100' }, file });
  t.equal(c.kafka.topic, 'movielog7');
  t.same(c.kafka.brokers, ['a:1', 'b:2']);
  t.equal(c.serve.port, 9100);
  t.equal(c.serve.threads, 2, 'untouched defaults stay');
  t.throws(() => loadConfig({ env: { MOVREC_PORT: 'eighty' } }), { message: /^serve\.port must be an integer/ });
});

t.test('STATE_DIRECTORY sets the data dir; --data-dir wins over it', async (t) => {
  t.equal(loadConfig({ env: { STATE_DIRECTORY: '/var/lib/movrec' } }).dataDir, '/var/lib/movrec');
  t.equal(
    loadConfig({ env: { STATE_DIRECTORY: '/var/lib/movrec' }, overrides: { dataDir: '/tmp/x' } }).dataDir,
    '/tmp/x',
  );
});

t.test('SASL credentials from the environment are validated and redacted for printing', async (t) => {
  const c = loadConfig({
    env: { MOVREC_KAFKA_SASL_USERNAME: 'students', MOVREC_KAFKA_SASL_PASSWORD: 's3cret', MOVREC_ADMIN_TOKEN: 'tok' },
  });
  t.equal(c.kafka.sasl?.username, 'students');
  const r = redacted(c);
  t.equal(r.kafka.sasl?.password, '<redacted>');
  t.equal(r.serve.adminToken, '<redacted>');
  t.notMatch(JSON.stringify(r), /s3cret|"tok"/);
});

t.test('a bad config file fails at start with the path, exit 2', async (t) => {
  const dir = t.testdir({
    'bad.json': JSON.stringify({ serve: { port: 'eighty-eighty' } }),
    'broken.json': '{ not json',
  });
  let r = movrec(['report', '--config', join(dir, 'bad.json'), '--data-dir', dir]);
  t.equal(r.status, 2);
  t.match(r.stderr, /^serve\.port must be an integer from 0 to 65535 \(got "eighty-eighty"\)/);
  r = movrec(['report', '--config', join(dir, 'broken.json'), '--data-dir', dir]);
  t.equal(r.status, 2);
  t.match(r.stderr, /cannot read config file .*broken\.json: not valid JSON/);
  writeFileSync(join(dir, 'ok.json'), '{}');
});
