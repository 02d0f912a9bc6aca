// Benchmark: the answer log's cost per answer on the serving thread (record(),
// the hot path, and the once-a-second flush that decodes, hashes and
// dictionary-codes the lists) and its size in LMDB per million answers, for
// lists of 20 ids drawn from a 27,000-title catalog; beside the reference of
// an empty loop that only builds the same arguments.
//   node dist/scripts/bench/answer-log.js [--answers N]
import { DB } from '../../src/store/tables';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { open } from 'lmdb';
import { createRequestIds } from '../../src/telemetry/request-id';
import { logger } from '../../src/log';
import { answerLogBytes, createAnswerLog } from '../../src/telemetry/answer-log';
import { movieId, rng } from './random-model';

const { values } = parseArgs({ options: { answers: { type: 'string', default: '1000000' } } });
const N = Number(values.answers);
const PER_FLUSH = 5_000;
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'movrec-bench-answer-log-'));
  const root = open({ path: dir, maxDbs: 8, mapSize: 8 * 2 ** 30 });
  try {
    const next = rng(7);
    // Lists as the workers hand them over: UTF-8 bytes of 20 comma-joined ids.
    const bodies = Array.from({ length: 1000 }, () =>
      Buffer.from(Array.from({ length: 20 }, () => movieId(Math.floor(next() * 27_000))).join(',')),
    );
    const log = createAnswerLog({
      root,
      ids: createRequestIds(),
      retentionDays: 3,
      maxBytes: 2 ** 40,
      log: logger().child({ name: 'bench' }),
    });
    let sink = 0;
    const t0 = performance.now();
    for (let i = 0; i < N; i++) sink += bodies[i % 1000]!.length + ((i * 7919) % 1_000_000);
    const loopNs = ((performance.now() - t0) * 1e6) / N;
    let recordMs = 0;
    let flushMs = 0;
    let writeMs = 0;
    let recordCpu = 0;
    let flushCpu = 0;
    const cpu = () => {
      const c = process.cpuUsage();
      return (c.user + c.system) / 1000;
    };
    for (let i = 0; i < N; i += PER_FLUSH) {
      const ca = cpu();
      const a = performance.now();
      const end = Math.min(N, i + PER_FLUSH);
      for (let j = i; j < end; j++)
        log.record(
          j + 1,
          1 + ((j * 7919) % 1_000_000),
          'mf-20260101T000000Z-aaaaaa',
          1,
          'model',
          200,
          2.5,
          bodies[j % 1000]!,
          'stable',
        );
      const b = performance.now();
      const cb = cpu();
      const w = log.flush();
      const c = performance.now();
      const cc = cpu();
      recordCpu += cb - ca;
      flushCpu += cc - cb;
      await w;
      recordMs += b - a;
      flushMs += c - b;
      writeMs += performance.now() - c;
    }
    await log.close();
    const st = root.openDB({ name: DB.answers }).getStats() as {
      pageSize: number;
      treeBranchPageCount: number;
      treeLeafPageCount: number;
      overflowPages: number;
    };
    const pages = (st.treeBranchPageCount + st.treeLeafPageCount + st.overflowPages) * st.pageSize;
    const { held } = answerLogBytes(root);
    console.log(
      `answer-log: ${fmt(N)} answers of 20 ids, ${PER_FLUSH} per flush (load average ` +
        `${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores, shared: noisy)`,
    );
    console.log(
      `  record() on the request path  ${((recordMs * 1e6) / N).toFixed(0)} ns per answer wall, ` +
        `${((recordCpu * 1e6) / N).toFixed(0)} ns CPU   (reference: the loop building its arguments ` +
        `${loopNs.toFixed(1)} ns; checksum ${sink % 10})`,
    );
    console.log(
      `  flush on the same thread      ${((flushMs * 1e6) / N).toFixed(0)} ns per answer wall, ` +
        `${((flushCpu * 1e6) / N).toFixed(0)} ns CPU (decode, hash, dictionary-code the list; once a second)`,
    );
    console.log(
      `  write until committed         ${((writeMs * 1e6) / N).toFixed(0)} ns per answer (encoding ` +
        `on this thread, the commit on LMDB's)`,
    );
    console.log(
      `  LMDB                          ${fmt((pages / N) * 1e6)} bytes of pages per million answers ` +
        `(counted for the cap: ${fmt((held / N) * 1e6)})`,
    );
  } finally {
    await root.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
