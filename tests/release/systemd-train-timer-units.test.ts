// The systemd alternative to in-process retraining: movrec-train.timer starts
// movrec-train.service, which runs `movrec train` and then reloads
// movrec.service. The units parse (systemd-analyze verify when installed, and
// always a read of the keys relied on), and the commands they run exist.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { movrec } from '../helpers/cli';

const dir = join(__dirname, '..', '..', 'systemd');

/** section -> key -> values, as systemd reads a unit: comments and blank lines skipped, repeated keys kept. */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  let section: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[([A-Za-z]+)\]$/.exec(line);
    if (head) {
      section = new Map();
      out.set(head[1]!, section);
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!kv || !section) throw new Error(`not a unit line: ${line}`);
    section.set(kv[1]!, [...(section.get(kv[1]!) ?? []), kv[2]!]);
  }
  return out;
}

const unit = (name: string) => parseUnit(readFileSync(join(dir, name), 'utf8'));

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' }).status === 0;
const systemctl = spawnSync('systemctl', ['--help'], { encoding: 'utf8' });

t.test(
  'systemd-analyze verify accepts the units, without a warning',
  { skip: analyze ? false : 'systemd-analyze is not installed (apt-get install systemd)' },
  async (t) => {
    const files = ['movrec.service', 'movrec-train.service', 'movrec-train.timer'].map((f) => join(dir, f));
    const r = spawnSync('systemd-analyze', ['verify', ...files], { encoding: 'utf8' });
    t.equal(r.status, 0, r.stderr);
    t.equal(r.stderr.trim(), '', 'no unknown key, no missing executable');
  },
);

t.test('the timer starts the train service, which trains, then reloads the server', async (t) => {
  const timer = unit('movrec-train.timer');
  t.equal(timer.get('Timer')?.get('Unit')?.[0], 'movrec-train.service');
  t.ok(timer.get('Timer')?.get('OnCalendar')?.[0], 'on a calendar schedule');
  t.equal(timer.get('Timer')?.get('Persistent')?.[0], 'true', 'a run missed while off runs at boot');
  t.equal(timer.get('Install')?.get('WantedBy')?.[0], 'timers.target');

  const svc = unit('movrec-train.service');
  const s = svc.get('Service')!;
  t.equal(s.get('Type')?.[0], 'oneshot', 'the reload waits for the training to finish');
  t.equal(s.get('ExecStart')?.[0], '/usr/bin/node /opt/movrec/scripts/movrec.js train $MOVREC_TRAIN_ARGS');
  t.equal(s.get('ExecStartPost')?.[0], '+/usr/bin/systemctl try-reload-or-restart movrec.service');
  t.equal(s.get('Nice')?.[0], '19');
  t.equal(s.get('CPUSchedulingPolicy')?.[0], 'idle');
  // Same dynamic user and state directory as the server, so both see one store.
  const server = unit('movrec.service').get('Service')!;
  for (const k of ['User', 'DynamicUser', 'StateDirectory', 'WorkingDirectory', 'EnvironmentFile'])
    t.same(s.get(k), server.get(k), `${k} as in movrec.service`);
  t.match(server.get('ExecReload')?.[0] ?? '', /kill -HUP \$MAINPID/, 'and reloading the server is SIGHUP');
});

t.test('the commands the units run exist', async (t) => {
  // /opt/movrec is this package installed: its scripts/movrec.js runs `train`.
  t.ok(existsSync(join(__dirname, '..', '..', 'scripts', 'movrec.js')));
  const help = movrec(['train', '--help']);
  t.equal(help.status, 0, help.stderr);
  t.match(help.stdout, /train a model from an LMDB snapshot/);
});

t.test(
  'systemctl knows the verb ExecStartPost uses',
  { skip: systemctl.status === null ? 'systemctl is not installed here' : false },
  async (t) => {
    t.match(systemctl.stdout, /try-reload-or-restart/);
  },
);
