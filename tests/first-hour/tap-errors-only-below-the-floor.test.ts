// tap compares coverage with thresholds (its default: 100%) and prints
// "# ERROR: incomplete ... coverage" for each one missed, even on a passing
// run. Its thresholds are the project's floor (package.json "tap"), so the
// lines appear only for a figure below that floor.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const METRICS = ['statements', 'branches', 'functions', 'lines'] as const;

t.test('a run prints an incomplete-coverage error exactly for the figures under the floor', async (t) => {
  const tapConfig = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { tap: Record<string, unknown> })
    .tap;
  for (const m of METRICS) t.type(tapConfig[m], 'number', `package.json "tap" sets the ${m} floor`);
  // A child tap run as npm test runs it (text-summary report), outside this run's own tap environment.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TAP|_TAPJS|NODE_OPTIONS)/.test(k)));
  const r = spawnSync(
    join(root, 'node_modules', '.bin', 'tap'),
    ['--coverage-report=text-summary', 'tests/ingest/parse-line-kinds.test.ts'],
    { cwd: root, env, encoding: 'utf8', timeout: 120_000 },
  );
  t.equal(r.status, 0, 'the run passes');
  for (const m of METRICS) {
    const label = m[0]!.toUpperCase() + m.slice(1);
    const pct = Number(new RegExp(`^${label}\\s*: ([\\d.]+)%`, 'm').exec(r.stdout)?.[1]);
    t.ok(Number.isFinite(pct), `${m} coverage is reported (${pct}%)`);
    const flagged = new RegExp(`# ERROR: incomplete ${m} coverage`).test(r.stdout);
    t.equal(
      flagged,
      pct < (tapConfig[m] as number),
      `${m} ${pct}% against floor ${String(tapConfig[m])}: flagged iff below`,
    );
  }
});
