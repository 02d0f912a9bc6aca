import t from 'tap';
import { movrec } from '../helpers/cli';

const COMMANDS = ['demo', 'serve', 'ingest', 'train', 'eval', 'models', 'report', 'sim', 'bench'];

t.test('movrec --help lists every command and exits 0', async (t) => {
  const r = movrec(['--help']);
  t.equal(r.status, 0);
  for (const c of COMMANDS) t.match(r.stdout, new RegExp(`^  ${c}\\s+\\S`, 'm'), `lists ${c}`);
});

t.test('each command has --help with its flags', async (t) => {
  for (const c of COMMANDS) {
    const r = movrec([c, '--help']);
    t.equal(r.status, 0, `${c} --help exits 0`);
    t.match(r.stdout, new RegExp(`^movrec ${c}`), `${c} help starts with its usage`);
    t.match(r.stdout, /--help/);
  }
});

t.test('state commands take --data-dir and --config; reporting commands take --json', async (t) => {
  for (const c of ['serve', 'ingest', 'train', 'eval', 'report', 'models']) {
    const out = movrec([c, '--help']).stdout;
    t.match(out, /--data-dir DIR/, `${c} has --data-dir`);
    t.match(out, /--config FILE/, `${c} has --config`);
  }
  for (const c of ['ingest', 'train', 'eval', 'report', 'models', 'bench', 'sim'])
    t.match(movrec([c, '--help']).stdout, /--json/, `${c} has --json`);
});
