import t from 'tap';
import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { MODEL_A, USERS, addModel, fillStore } from '../http/fixture';
import { eventually, spawnServe } from './spawn-serve';

interface Client {
  statuses: number[];
  /** A request was written and the connection closed before its answer came. */
  dropped: boolean;
  /** Answers that arrived after SIGTERM was sent. */
  afterSignal: number;
}

/** Keeps one keep-alive connection busy with back-to-back requests until the server closes it. */
function hammer(port: number, userId: number, signalled: () => boolean): Promise<Client> {
  return new Promise((resolve) => {
    const c: Client = { statuses: [], dropped: false, afterSignal: 0 };
    const sock: Socket = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let outstanding = false;
    const send = (): void => {
      outstanding = true;
      sock.write(`GET /recommend/${userId} HTTP/1.1\r\nHost: movrec\r\n\r\n`);
    };
    sock.on('connect', send);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        buf = buf.subarray(end + 4 + len);
        outstanding = false;
        c.statuses.push(Number(head.split(' ')[1]));
        if (signalled()) c.afterSignal++;
        // While draining the server answers with Connection: close; a client then stops.
        if (/^connection: close/im.test(head)) return void sock.end();
        send();
      }
    });
    sock.on('error', () => undefined);
    sock.on('close', () => {
      c.dropped = outstanding;
      resolve(c);
    });
  });
}

t.test('SIGTERM: stop accepting, finish every in-flight answer, close the pool, exit 0', async (t) => {
  const dataDir = t.testdir();
  await fillStore(dataDir);
  addModel(dataDir, MODEL_A, 'ascending', '2026-01-01T00:00:00.000Z');
  const s = await spawnServe(t, dataDir);

  let signalled = false;
  const users = [USERS.adult.id, USERS.minor.id, USERS.stranger.id, USERS.thin.id];
  const clients = Array.from({ length: 16 }, (_, i) => hammer(s.port, users[i % users.length]!, () => signalled));
  // Let every connection get going, then stop the server while all of them have a request in flight.
  await new Promise((r) => setTimeout(r, 300));
  signalled = true;
  s.child.kill('SIGTERM');
  const results = await Promise.all(clients);
  const exit = await s.exited;

  t.same(exit, { code: 0, signal: null }, 'exit code 0');
  const all = results.flatMap((c) => c.statuses);
  t.ok(all.length > 16, `${all.length} answers`);
  t.ok(
    all.every((x) => x === 200),
    'every answer is a 200',
  );
  t.equal(results.filter((c) => c.dropped).length, 0, 'no connection lost a request it had sent');
  t.ok(results.reduce((n, c) => n + c.afterSignal, 0) > 0, 'requests in flight at SIGTERM were answered');
  const log = s.logs();
  t.ok(log.some((r) => r.msg === 'stopping: finishing in-flight answers'));
  t.ok(log.some((r) => r.msg === 'stopped'));
  t.ok(
    log.findIndex((r) => r.msg === 'http front closed') < log.findIndex((r) => r.msg === 'stopped'),
    'the front closes before the process stops',
  );
});

/**
 * One kept-alive connection driven by hand: a request at a time (its head, or '' if the connection closed first), and
 * whether the server closed it.
 */
function keepAlive(port: number): { get(path: string): Promise<string>; closed: Promise<boolean> } {
  const sock = connect(port, '127.0.0.1');
  let buf = '';
  let waiting: ((head: string) => void) | undefined;
  let ended = false;
  sock.setEncoding('latin1');
  sock.on('data', (d: string) => {
    buf += d;
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = buf.slice(0, end);
    const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
    if (buf.length < end + 4 + len) return;
    buf = buf.slice(end + 4 + len);
    const w = waiting;
    waiting = undefined;
    w?.(head);
  });
  sock.on('error', () => undefined);
  // Resolves true when the server ended the connection with no request of ours outstanding.
  const closed = new Promise<boolean>((resolve) =>
    sock.on('close', () => {
      ended = true;
      resolve(waiting === undefined);
      waiting?.('');
    }),
  );
  return {
    get: (path) =>
      new Promise((resolve) => {
        if (ended) return resolve('');
        waiting = resolve;
        sock.write(`GET ${path} HTTP/1.1\r\nHost: movrec\r\n\r\n`);
      }),
    closed,
  };
}

t.test(
  'SIGTERM: a kept-alive client whose next request comes just after the stop still gets its answer, ' +
    'with Connection: close',
  async (t) => {
    const dataDir = t.testdir();
    await fillStore(dataDir);
    addModel(dataDir, MODEL_A, 'ascending', '2026-01-01T00:00:00.000Z');
    // A pause of 2 s must pass before the front closes: room for this test's late request on a loaded machine.
    const config = `${dataDir}/drain.json`;
    writeFileSync(config, JSON.stringify({ serve: { drainQuietMs: 2000 } }));
    const s = await spawnServe(t, dataDir, ['--config', config]);

    const late = keepAlive(s.port);
    const idle = keepAlive(s.port);
    t.match(await late.get(`/recommend/${USERS.adult.id}`), /^HTTP\/1\.1 200/, 'answered before the stop');
    t.match(await idle.get(`/recommend/${USERS.minor.id}`), /^HTTP\/1\.1 200/, 'answered before the stop');
    s.child.kill('SIGTERM');
    // The server logs this line in the same turn as it starts draining: the late request comes after the stop.
    t.ok(
      await eventually(() => s.logs().some((r) => r.msg === 'stopping: finishing in-flight answers') || undefined),
      'the server is stopping',
    );
    const head = await late.get(`/recommend/${USERS.adult.id}`);
    t.match(head, /^HTTP\/1\.1 200/, 'the request sent after SIGTERM is answered');
    t.match(head, /^connection: close/im, 'and the client is told to close');
    t.equal(await late.closed, true, 'the late connection then ends with nothing outstanding');
    t.equal(await idle.closed, true, 'the server closes the connection that stayed idle');
    t.same(await s.exited, { code: 0, signal: null }, 'exit code 0');
    const quiet = s.logs().find((r) => r.msg === 'connections quiet');
    t.ok(quiet, 'the front waited for the requests to pause');
    t.ok(Number(quiet?.waitedMs) >= 2000, `it waited at least drainQuietMs: ${String(quiet?.waitedMs)} ms`);
  },
);

t.test('SIGTERM: serve.drainMaxMs bounds the wait for that pause', async (t) => {
  const dataDir = t.testdir();
  await fillStore(dataDir);
  addModel(dataDir, MODEL_A, 'ascending', '2026-01-01T00:00:00.000Z');
  const config = `${dataDir}/drain.json`;
  writeFileSync(config, JSON.stringify({ serve: { drainQuietMs: 60000, drainMaxMs: 300 } }));
  const s = await spawnServe(t, dataDir, ['--config', config]);

  const idle = keepAlive(s.port);
  t.match(await idle.get(`/recommend/${USERS.adult.id}`), /^HTTP\/1\.1 200/);
  s.child.kill('SIGTERM');
  t.equal(await idle.closed, true, 'the idle connection is closed once drainMaxMs has passed');
  t.same(await s.exited, { code: 0, signal: null }, 'exit code 0');
  const warn = s
    .logs()
    .find(
      (r) => r.msg === 'requests did not pause for drainQuietMs within drainMaxMs: closing the remaining connections',
    );
  t.ok(warn, 'the cut-short wait is logged');
  t.equal(warn?.drainMaxMs, 300);
  t.notOk(s.logs().some((r) => r.msg === 'connections quiet'));
});
