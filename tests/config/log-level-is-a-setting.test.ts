// log.level is read like every other setting (config file, then
// MOVREC_LOG_LEVEL) and validated at start: a bad level exits 2 naming it.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MOVREC } from '../helpers/cli';

function run(args: string[], level: string | undefined) {
  const env = { ...process.env };
  delete env.MOVREC_LOG_LEVEL;
  if (level !== undefined) env.MOVREC_LOG_LEVEL = level;
  return spawnSync(process.execPath, [MOVREC, ...args], { encoding: 'utf8', env, timeout: 60_000 });
}

t.test('the config file sets the level; the environment overrides it; a bad one exits 2', async (t) => {
  const dir = t.testdir({ 'stream.lines': '2022-02-08T18:05:00,10,GET /data/m/aliens+1986/0.mpg\n' });
  const lines = join(dir, 'stream.lines');
  writeFileSync(join(dir, 'quiet.json'), JSON.stringify({ log: { level: 'error' } }));
  writeFileSync(join(dir, 'chatty.json'), JSON.stringify({ log: { level: 'info' } }));

  let r = run(
    ['ingest', '--from-file', lines, '--data-dir', join(dir, 'a'), '--config', join(dir, 'chatty.json')],
    undefined,
  );
  t.equal(r.status, 0, r.stderr);
  t.match(r.stderr, /consuming/, 'info lines at level info');

  r = run(
    ['ingest', '--from-file', lines, '--data-dir', join(dir, 'b'), '--config', join(dir, 'quiet.json')],
    undefined,
  );
  t.equal(r.status, 0, r.stderr);
  t.notMatch(r.stderr, /consuming/, "the file's level error hides them");

  r = run(['ingest', '--from-file', lines, '--data-dir', join(dir, 'c'), '--config', join(dir, 'quiet.json')], 'info');
  t.match(r.stderr, /consuming/, 'MOVREC_LOG_LEVEL overrides the file');

  r = run(['ingest', '--from-file', lines, '--data-dir', join(dir, 'd')], 'loud');
  t.equal(r.status, 2);
  t.match(r.stderr, /^log\.level must be one of trace, debug, info, warn, error, fatal, silent/);
  t.notMatch(r.stderr, /\n\s+at /, 'one line, no stack');

  r = run(['sim', '--help'], 'loud');
  t.equal(r.status, 0, 'help needs no valid level');
  r = run(['sim', '--users', '50', '--movies', '40', '--history', '10', '--out', '-'], 'loud');
  t.equal(r.status, 2, 'a command without state settings still checks the level');
  t.match(r.stderr, /^log\.level must be one of/);
});
