import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { movrec } from '../helpers/cli';

const args = (seed: string, out: string): string[] => [
  'sim',
  '--seed',
  seed,
  '--users',
  '300',
  '--movies',
  '500',
  '--history',
  '40000',
  '--out',
  out,
  '--spurious-rate',
  '0.01',
];

t.test('the same seed gives byte-identical --history files; another seed does not', async (t) => {
  const dir = t.testdir();
  const a = join(dir, 'a.log');
  const b = join(dir, 'b.log');
  const c = join(dir, 'c.log');
  for (const [seed, out] of [
    ['7', a],
    ['7', b],
    ['8', c],
  ] as const) {
    const r = movrec(args(seed, out));
    t.equal(r.status, 0, r.stderr);
    t.match(r.stdout, /^wrote 40000 lines/);
  }
  const bytesA = readFileSync(a);
  t.equal(bytesA.toString('utf8').split('\n').length, 40001);
  t.ok(bytesA.equals(readFileSync(b)), 'same seed, same bytes');
  t.notOk(bytesA.equals(readFileSync(c)), 'another seed, other bytes');
});

t.test('--history - writes to stdout', async (t) => {
  const r = movrec(['sim', '--users', '300', '--movies', '500', '--history', '50', '--out', '-']);
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout.trim().split('\n').length, 50);
});

t.test('a bad flag value exits 2 naming the flag', async (t) => {
  for (const [flag, value] of [
    ['--users', 'many'],
    ['--spurious-rate', '2'],
    ['--drift-at', 'someday'],
  ]) {
    const r = movrec(['sim', '--users', '300', '--movies', '500', '--history', '5', flag!, value!]);
    t.equal(r.status, 2, `${flag} ${value}`);
    t.match(r.stderr, new RegExp(flag!));
  }
  const r = movrec([
    'sim',
    '--users',
    '300',
    '--movies',
    '500',
    '--history',
    '5',
    '--review-bomb-at',
    '2022-02-01T00:30:00',
    '--review-bomb-movie',
    'no+such+film+1999',
  ]);
  t.equal(r.status, 2);
  t.match(r.stderr, /^movrec sim: review bomb: unknown movie no\+such\+film\+1999\n$/);
});
