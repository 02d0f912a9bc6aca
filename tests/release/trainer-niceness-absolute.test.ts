// retrain.nice is the trainer's niceness, not a step from the server's: a
// server started at nice -10 (as systemd/movrec.service starts it) still gets
// a trainer at nice 19 under SCHED_IDLE, not one at nice 9.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { getPriority } from 'node:os';
import { onPath, priorityPrefix } from '../../src/release/train-child';

/** Niceness and scheduling policy of a command run behind the wrappers (proc(5) fields 19 and 41). */
function priorityOf(argv: string[]): [number, number] {
  const r = spawnSync(argv[0]!, [...argv.slice(1), 'cat', '/proc/self/stat'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
  const f = r.stdout.slice(r.stdout.lastIndexOf(')') + 2).split(' ');
  return [Number(f[16]), Number(f[38])];
}

const NICE = onPath('nice');
const CHRT = onPath('chrt');
// A negative niceness needs CAP_SYS_NICE: say so instead of passing quietly.
const canRaise = NICE !== undefined && spawnSync(NICE, ['-n', '-10', 'true']).status === 0 && getPriority() === 0;
const why = !NICE || !CHRT ? 'nice or chrt is not installed' : 'this test needs CAP_SYS_NICE and to run at nice 0';

t.test(
  'a server at nice -10 starts its trainer at nice 19 under SCHED_IDLE',
  { skip: NICE && CHRT && canRaise ? false : why },
  (t) => {
    const nice = NICE!;
    const retrain = { nice: 19, schedIdle: true } as Parameters<typeof priorityPrefix>[0];
    // What the server at nice -10 puts in front of the trainer, run from a process at nice -10 as the server is.
    const prefix = priorityPrefix(retrain, -10);
    t.same(priorityOf([nice, '-n', '-10', ...prefix]), [19, 5], 'nice 19, policy SCHED_IDLE (5)');
    // And from a server at nice 0, as before.
    t.same(priorityOf(priorityPrefix(retrain, 0)), [19, 5], 'from nice 0 as well');
    t.end();
  },
);

t.test('a server already at or past the setting adds no nice step', (t) => {
  const prefix = priorityPrefix({ nice: 10, schedIdle: false } as Parameters<typeof priorityPrefix>[0], 15);
  t.same(prefix, [], 'no wrapper: the child inherits nice 15, lower in priority than asked');
  t.end();
});
