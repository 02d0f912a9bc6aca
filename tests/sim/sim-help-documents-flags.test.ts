import t from 'tap';
import { movrec } from '../helpers/cli';
import { sim } from '../../src/cli/commands/sim';

t.test('movrec sim --help documents every flag, scenarios included', async (t) => {
  const r = movrec(['sim', '--help']);
  t.equal(r.status, 0);
  for (const [name, o] of Object.entries(sim.options)) {
    t.ok(o.description.length > 10, `--${name} has a description`);
    const row = r.stdout.split('\n').find((l) => new RegExp(`^\\s+(-\\w, )?--${name}( |$)`).test(l));
    t.ok(row, `--${name} is in the help`);
    t.ok(row?.includes(o.description), `--${name} is described`);
  }
  // The flags the issue names, each one present.
  for (const flag of [
    'seed',
    'users',
    'movies',
    'world',
    'history',
    'out',
    'kafka',
    'topic',
    'rate',
    'target',
    'deadline-ms',
    'api-port',
    'create-account',
    'drift-at',
    'review-bomb-at',
    'flood-at',
    'spurious-rate',
  ]) {
    t.match(r.stdout, new RegExp(`--${flag}\\b`));
  }
});
