import t from 'tap';
import { movrec } from '../helpers/cli';

t.test('an integer flag that does not parse, or is below its minimum, exits 2 naming the flag', async (t) => {
  const dir = t.testdir();
  const cases: [string[], RegExp][] = [
    [
      ['ingest', '--data-dir', dir, '--max-lines', '1.5'],
      /^movrec ingest: --max-lines must be an integer of at least 0, got "1\.5"$/m,
    ],
    [
      ['serve', '--data-dir', dir, '--threads', 'many'],
      /^movrec serve: --threads must be an integer of at least 0, got "many"$/m,
    ],
    [
      ['demo', '--data-dir', dir, '--users', '10'],
      /^movrec demo: --users must be an integer of at least 100, got "10"$/m,
    ],
    [
      ['demo', '--data-dir', dir, '--port', '=8082'],
      /^movrec demo: --port must be an integer of at least 0, got "=8082"$/m,
    ],
  ];
  for (const [args, pattern] of cases) {
    const r = movrec(args);
    t.equal(r.status, 2, `${args.join(' ')} exits 2`);
    t.match(r.stderr, pattern);
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
});
