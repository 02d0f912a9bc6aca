import t from 'tap';
import { movrec } from '../helpers/cli';

t.test('an unknown command exits 2 with a one-line message naming it', async (t) => {
  const r = movrec(['nonsense']);
  t.equal(r.status, 2);
  t.match(r.stderr, /^movrec: unknown command "nonsense"/);
  t.equal(r.stderr.trim().split('\n').length, 1);
});

t.test('an unknown flag exits 2 with a one-line message naming it', async (t) => {
  const r = movrec(['report', '--frobnicate']);
  t.equal(r.status, 2);
  t.match(r.stderr, /--frobnicate/);
  t.equal(r.stderr.trim().split('\n').length, 1);
});

t.test('an unexpected positional argument exits 2', async (t) => {
  const r = movrec(['train', 'extra']);
  t.equal(r.status, 2);
  t.match(r.stderr, /unexpected argument "extra"/);
});

t.test('--version prints the package version', async (t) => {
  const r = movrec(['--version']);
  t.equal(r.status, 0);
  t.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
});
