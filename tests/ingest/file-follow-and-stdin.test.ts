// `movrec ingest --from-file -` reads stdin; `--follow` keeps reading a file
// as it grows and stops after --idle-exit-ms without new lines.
import t from 'tap';
import { spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MOVREC, movrec } from '../helpers/cli';
import { historyLines } from '../helpers/ingest-lines';

const report = (dir: string) =>
  JSON.parse(movrec(['report', 'data', '--json', '--data-dir', dir]).stdout) as { lines: number; digest: string };

t.test('stdin and a followed file give the same state as the whole file', async (t) => {
  const lines = await historyLines(4000);
  const root = t.testdir();
  const whole = join(root, 'whole.lines');
  writeFileSync(whole, `${lines.join('\n')}\n`);
  t.equal(movrec(['ingest', '--data-dir', join(root, 'a'), '--from-file', whole]).status, 0);
  const want = report(join(root, 'a'));
  t.equal(want.lines, lines.length);

  const stdin = movrec(['ingest', '--data-dir', join(root, 'b'), '--from-file', '-', '--json'], {
    input: `${lines.join('\n')}\n`,
  });
  t.equal(stdin.status, 0, stdin.stderr);
  t.equal(JSON.parse(stdin.stdout).linesApplied, lines.length, 'stdin read to its end');
  t.equal(report(join(root, 'b')).digest, want.digest, 'stdin gives the same state');

  const grow = join(root, 'grow.lines');
  writeFileSync(grow, `${lines.slice(0, 1000).join('\n')}\n`);
  const child = spawn(
    process.execPath,
    [
      MOVREC,
      'ingest',
      '--data-dir',
      join(root, 'c'),
      '--from-file',
      grow,
      '--follow',
      '--idle-exit-ms',
      '2500',
      '--json',
    ],
    {
      env: { ...process.env, MOVREC_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  // Grow the file in pieces, one of them ending mid-line: the partial line waits for its newline.
  for (const [from, to] of [
    [1000, 2000],
    [2000, 3000],
    [3000, lines.length],
  ] as const) {
    await new Promise((r) => setTimeout(r, 400));
    const chunk = `${lines.slice(from, to).join('\n')}\n`;
    const cut = Math.floor(chunk.length / 2);
    appendFileSync(grow, chunk.slice(0, cut));
    await new Promise((r) => setTimeout(r, 300));
    appendFileSync(grow, chunk.slice(cut));
  }
  t.equal(await exited, 0, 'stops by itself when the file stops growing');
  t.equal(JSON.parse(out).linesApplied, lines.length);
  t.equal(report(join(root, 'c')).digest, want.digest, 'a followed file gives the same state');
});

t.test('--follow needs a file', async (t) => {
  const r = movrec(['ingest', '--data-dir', t.testdir(), '--from-file', '-', '--follow']);
  t.equal(r.status, 2);
  t.match(r.stderr, /--follow needs --from-file FILE/);
});
