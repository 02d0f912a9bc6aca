// The thread that starts and reaps the training child (started by
// src/release/train-child.ts). The kernel charges the reaping of a process to
// the thread that waits for it (wait4 -> release_task -> the child's /proc
// dentries invalidated, d_walk under spin locks): on serve's main thread that
// was 0.2 to 2 s of kernel time right when a training child ended, every
// answer held back meanwhile. libuv reaps a child on the loop that spawned it,
// so it is spawned here.
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { FromSupervisor, ToSupervisor, TrainSupervisorData } from '../src/release/train-supervisor-messages';

const data = workerData as TrainSupervisorData;
const say = (m: FromSupervisor) => parentPort!.postMessage(m);

const child = spawn(data.argv[0]!, data.argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: data.env });
// Without the `nice` wrapper, renice after the fact: on Linux that reaches only the child's main thread.
if (data.renice !== null && child.pid !== undefined) {
  try {
    setPriority(child.pid, data.renice);
  } catch {
    // the child already exited; its exit is reported below
  }
}
let out = '';
let err = '';
child.stdout.on('data', (c: Buffer) => {
  out += c.toString('utf8');
});
child.stderr.on('data', (c: Buffer) => {
  err = (err + c.toString('utf8')).slice(-4000);
});
const timer = setTimeout(() => child.kill('SIGKILL'), data.timeoutMs);
let failed = false;
child.on('spawn', () => say({ kind: 'started', pid: child.pid }));
child.on('error', (e) => {
  failed = true;
  clearTimeout(timer);
  say({ kind: 'error', message: e.message });
  parentPort!.close();
});
child.on('close', (code, signal) => {
  clearTimeout(timer);
  if (!failed) say({ kind: 'closed', code, signal, out, err });
  parentPort!.close();
});
parentPort!.on('message', (m: ToSupervisor) => {
  if (m.kind === 'kill' && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
});
