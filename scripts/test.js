#!/usr/bin/env node
// `npm test`: type check, lint, build, start a real Kafka broker (unless
// MOVREC_TEST_KAFKA names one), run every tap test with coverage, enforce the
// coverage floor (tap's thresholds in package.json "tap"), and stop the broker whatever happens.

const { spawnSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const step = (label, cmd, args, opts = {}) => {
  process.stderr.write(`\n== ${label}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    process.stderr.write(`npm test: ${label} failed\n`);
    process.exit(r.status || 1);
  }
};

step('type check', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
// Biome formats and lints in one pass (one dependency, no plugin set to keep in step); `npm run format` fixes the
// format.
step('lint', bin('biome'), ['ci', '--colors=off', '.']);
// The formatter leaves long comments and strings alone: this catches them (lines <= 120 characters).
step('line length', process.execPath, [path.join(root, 'scripts', 'line-length.js')]);
step('build', bin('tsc'), ['-p', 'tsconfig.build.json']);
let nativeBuilt = false;
if (fs.existsSync(path.join(root, 'native', 'build.js'))) {
  // The native kernels are optional: a failed build leaves the TypeScript twins in charge.
  process.stderr.write('\n== native build (optional)\n');
  const started = Date.now() - 1000;
  const r = spawnSync(process.execPath, [path.join(root, 'native', 'build.js')], { cwd: root, stdio: 'inherit' });
  const addon = path.join(root, 'native', 'build', 'movrec.node');
  // A skipped build (no compiler) also exits 0: only an addon written just now counts.
  nativeBuilt = r.status === 0 && fs.existsSync(addon) && fs.statSync(addon).mtimeMs >= started;
}

let kafkaHome;
const env = { ...process.env };
// A built addon must then be what the agreement tests exercise: without this they would pass on the twins alone.
if (nativeBuilt && env.MOVREC_NATIVE !== '0') env.MOVREC_EXPECT_NATIVE = '1';
if (!env.MOVREC_TEST_KAFKA) {
  kafkaHome = fs.mkdtempSync(path.join(os.tmpdir(), 'movrec-test-kafka-'));
  process.stderr.write('\n== start Kafka broker\n');
  const r = spawnSync(path.join(root, 'scripts', 'kafka'), ['start'], {
    cwd: root,
    env: { ...env, MOVREC_KAFKA_HOME: kafkaHome },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) {
    process.stderr.write('npm test: could not start the Kafka broker\n');
    process.exit(1);
  }
  env.MOVREC_TEST_KAFKA = r.stdout.toString().trim().split('\n').pop();
  process.stderr.write(`broker at ${env.MOVREC_TEST_KAFKA}\n`);
}

let stopped = false;
const stopBroker = () => {
  if (!kafkaHome || stopped) return;
  stopped = true;
  spawnSync(path.join(root, 'scripts', 'kafka'), ['stop'], {
    cwd: root,
    env: { ...env, MOVREC_KAFKA_HOME: kafkaHome },
    stdio: 'inherit',
  });
  fs.rmSync(kafkaHome, { recursive: true, force: true });
};
process.on('exit', stopBroker);

const extra = process.argv.slice(2);
const tap = spawn(bin('tap'), ['--coverage-report=text-summary', '--coverage-report=json-summary', ...extra], {
  cwd: root,
  env,
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => tap.kill(sig));
tap.on('exit', (code, signal) => {
  stopBroker();
  if (code !== 0) process.exit(code ?? (signal ? 1 : 0));
  if (extra.length === 0) checkFloor();
});

function checkFloor() {
  // The floor is tap's own coverage thresholds (package.json "tap"): tap compares against them too, so a run
  // above the floor prints no "ERROR: incomplete coverage" lines (tap's default threshold is 100%).
  const tapConfig = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).tap ?? {};
  const floor = Object.fromEntries(
    ['lines', 'functions', 'branches', 'statements'].filter((k) => k in tapConfig).map((k) => [k, tapConfig[k]]),
  );
  const summaryFile = path.join(root, '.tap', 'report', 'coverage-summary.json');
  if (Object.keys(floor).length === 0) return;
  if (!fs.existsSync(summaryFile)) {
    process.stderr.write(`npm test: no coverage summary at ${summaryFile}\n`);
    process.exit(1);
  }
  const total = JSON.parse(fs.readFileSync(summaryFile, 'utf8')).total;
  const low = Object.entries(floor).filter(([k, min]) => total[k].pct < min);
  for (const [k, min] of Object.entries(floor))
    process.stderr.write(`coverage ${k}: ${total[k].pct}% (floor ${min}%)\n`);
  if (low.length) {
    process.stderr.write(
      `npm test: coverage below the floor in package.json "tap": ${low.map(([k]) => k).join(', ')}\n`,
    );
    process.exit(1);
  }
}
