// The kernel sets the server's capacity (the TypeScript twins answer tens of
// times fewer requests than the native kernel), so serve says which one runs:
// a start-up log line (a warning for the twins) and a metric from the workers.
import t from 'tap';
import { int8Path, nativeAvailable, nativeStatus } from '../../native/index';
import { call } from '../http/harness';
import { MODEL_A, addModel, fillStore } from '../http/fixture';
import { spawnServe } from './spawn-serve';

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

t.test(
  'the native kernel is named in the log and at /metrics',
  { skip: nativeAvailable ? false : `no native addon here (${nativeStatus})` },
  async (t) => {
    const dataDir = t.testdir();
    await fillStore(dataDir);
    addModel(dataDir, MODEL_A, 'ascending', '2026-01-01T00:00:00.000Z');
    const s = await spawnServe(t, dataDir);
    const line = s.logs().find((r) => r.msg === 'scoring kernel');
    t.same(
      line && { level: line.level, kernel: line.kernel, int8: line.int8 },
      { level: 30, kernel: nativeStatus, int8: int8Path() },
      'an info line names the kernel and its int8 path',
    );
    const m = (await call(`${s.base}/metrics`)).body;
    t.match(
      m,
      new RegExp(`^movrec_scoring_kernel_info\\{kernel="${escapeRe(nativeStatus)}",int8="${int8Path()}"\\} 1$`, 'm'),
      'the one worker reports it',
    );
    s.child.kill('SIGTERM');
    t.same(await s.exited, { code: 0, signal: null });
  },
);

t.test('the TypeScript fallback is a warning, and the metric says so', async (t) => {
  const dataDir = t.testdir();
  await fillStore(dataDir);
  addModel(dataDir, MODEL_A, 'ascending', '2026-01-01T00:00:00.000Z');
  const s = await spawnServe(t, dataDir, [], { MOVREC_NATIVE: '0' });
  const line = s
    .logs()
    .find((r) => typeof r.msg === 'string' && r.msg.startsWith('scoring with the TypeScript kernels'));
  t.equal(line?.level, 40, 'a warning at start');
  t.equal(line?.kernel, 'typescript twins: disabled by MOVREC_NATIVE=0');
  t.notOk(
    s.logs().some((r) => r.msg === 'scoring kernel'),
    'no info line claims a native kernel',
  );
  const m = (await call(`${s.base}/metrics`)).body;
  t.match(m, /^movrec_scoring_kernel_info\{kernel="typescript twins: disabled by MOVREC_NATIVE=0",int8="off"\} 1$/m);
  s.child.kill('SIGTERM');
  t.same(await s.exited, { code: 0, signal: null });
});
