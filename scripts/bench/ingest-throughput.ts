// End-to-end ingest benchmark: N simulator lines produced to a fresh topic on
// the local broker, then (1) a no-op kafkajs consumer reads them all, (2) the
// ingest loop carries them into committed LMDB state; lines/s side by side with
// the targets, and LMDB bytes per million watch lines; (3) the same with the
// online join of telemetry/ observing every line (its cost, and the bytes its
// `online` rows take per million request lines).
//   node dist/scripts/bench/ingest-throughput.js [--lines N] [--brokers host:port] [--batch-lines N]
import { DB } from '../../src/store/tables';
import { Kafka, logLevel } from 'kafkajs';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config/load';
import { startIngest } from '../../src/ingest/loop';
import { dataReport } from '../../src/ingest/report';
import { kafkaSource } from '../../src/ingest/kafka-source';
import { createWorld, historyLines } from '../../src/sim';
import { openStore, lmdbPath, storeTables } from '../../src/store/store';
import { createOnlineJoin } from '../../src/telemetry/online-join';

const TARGET_RATE = 100_000;
const TARGET_SHARE = 0.5;

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '500000' },
    brokers: { type: 'string' },
    'batch-lines': { type: 'string' },
  },
});
const N = Number(values.lines);
const BROKERS = (values.brokers ?? process.env.MOVREC_TEST_KAFKA ?? '127.0.0.1:19092').split(',');
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

function simLines(n: number): Promise<string[]> {
  return historyLines(createWorld({ seed: 21, users: 20_000, movies: 5_000 }), { lines: n, spuriousRate: 0.005 });
}

interface Timing {
  seconds: number;
  /** CPU seconds of this process over the same span (all threads): less sensitive to other load on the machine. */
  cpu: number;
}

const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

/** From the first message to the N-th, for a kafkajs consumer that only counts. */
async function noopConsumer(kafka: Kafka, topic: string): Promise<Timing> {
  const consumer = kafka.consumer({
    groupId: `${topic}-noop`,
    maxBytes: 32 << 20,
    maxBytesPerPartition: 8 << 20,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let bytes = 0;
  let t0 = 0;
  let c0 = 0;
  const timing = await new Promise<Timing>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        if (t0 === 0) (t0 = performance.now()), (c0 = cpuNow());
        for (const m of batch.messages) bytes += m.value ? m.value.length : 0;
        seen += batch.messages.length;
        if (seen >= N) resolve({ seconds: (performance.now() - t0) / 1000, cpu: cpuNow() - c0 });
      },
    });
  });
  await consumer.disconnect();
  if (bytes === 0) throw new Error('no bytes read');
  return timing;
}

/** From the first line handed to the loop to the N-th line committed in LMDB. */
async function ingestRun(
  topic: string,
  dataDir: string,
  withJoin = false,
): Promise<Timing & { watch: number; usedBytes: number; fileBytes: number; onlineBytes: number; requests: number }> {
  const config = loadConfig({
    env: {},
    overrides: { dataDir, 'ingest.batchLines': values['batch-lines'] ? Number(values['batch-lines']) : undefined },
  });
  const store = openStore(dataDir);
  const source = kafkaSource({
    brokers: BROKERS,
    topic,
    groupId: `${topic}-ingest-${dataDir.replace(/[^a-z0-9]/gi, '')}`,
    clientId: 'bench',
    sasl: null,
    ssl: false,
    startFrom: 'earliest',
  });
  const observer = withJoin ? createOnlineJoin({ windowMs: 3_600_000, retentionDays: 30 }) : undefined;
  const h = startIngest({ config, store, source, ...(observer ? { observer } : {}) });
  let t0 = 0;
  let c0 = 0;
  const timing = await new Promise<Timing>((resolve) => {
    const poll = setInterval(() => {
      const s = h.stats();
      if (t0 === 0 && s.linesRead > 0) (t0 = performance.now()), (c0 = cpuNow());
      if (s.linesApplied >= N) {
        clearInterval(poll);
        resolve({ seconds: (performance.now() - t0) / 1000, cpu: cpuNow() - c0 });
      }
    }, 5);
  });
  await h.stop();
  // Pages held by the tables' B-trees (the file also holds free pages that later transactions reuse).
  const tb = storeTables(store);
  let pages = 0;
  for (const db of [
    tb.meta,
    tb.watches,
    tb.ratings,
    tb.movieRatings,
    tb.requests,
    tb.days,
    tb.seenUsers,
    tb.seenMovies,
  ]) {
    const st = db.getStats() as { treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number };
    pages += st.treeBranchPageCount + st.treeLeafPageCount + st.overflowPages;
  }
  const pageSize = (store.root.getStats() as { pageSize: number }).pageSize;
  const st = store.root.openDB({ name: DB.online }).getStats() as {
    treeBranchPageCount: number;
    treeLeafPageCount: number;
    overflowPages: number;
  };
  const onlineBytes = (st.treeBranchPageCount + st.treeLeafPageCount + st.overflowPages) * pageSize;
  const report = dataReport(store);
  const watch = report.kinds.watch;
  await store.close();
  return {
    ...timing,
    watch,
    usedBytes: pages * pageSize,
    onlineBytes,
    requests: report.kinds.request,
    fileBytes: statSync(join(lmdbPath(dataDir), 'data.mdb')).size,
  };
}

async function main(): Promise<void> {
  const kafka = new Kafka({ clientId: 'movrec-bench', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const topic = `movielog-bench-${Date.now()}`;
  const lines = await simLines(N);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  // Under the broker's 1 MB request limit per send.
  for (let i = 0; i < lines.length; i += 8_000)
    await producer.send({ topic, messages: lines.slice(i, i + 8_000).map((value) => ({ value })) });
  await producer.disconnect();

  const noop = await noopConsumer(kafka, topic);
  const dir = mkdtempSync(join(os.tmpdir(), 'movrec-bench-ingest-'));
  const dirJoin = mkdtempSync(join(os.tmpdir(), 'movrec-bench-ingest-join-'));
  try {
    // ABBA order: a second run on the same topic is faster or slower by a quarter on a shared machine.
    const first = await ingestRun(topic, dir);
    const joinedA = await ingestRun(topic, `${dirJoin}/a`, true);
    const joinedB = await ingestRun(topic, `${dirJoin}/b`, true);
    const second = await ingestRun(topic, `${dir}/b`);
    const mean = <T extends Timing>(a: T, b: T): T => ({
      ...a,
      seconds: (a.seconds + b.seconds) / 2,
      cpu: (a.cpu + b.cpu) / 2,
    });
    const ing = mean(first, second);
    const joined = mean(joinedA, joinedB);
    const noopRate = N / noop.seconds;
    const rate = N / ing.seconds;
    const perMillion = (ing.usedBytes / ing.watch) * 1e6;
    console.log(
      `ingest-throughput: ${fmt(N)} simulator lines on topic ${topic} at ${BROKERS.join(',')} (1 ` +
        `partition; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores, shared: noisy)`,
    );
    console.log(
      `  no-op kafkajs consumer   ${fmt(noopRate)} lines/s (${noop.seconds.toFixed(2)} s first to ` +
        `last message; ${fmt(N / noop.cpu)} lines per CPU-second)`,
    );
    console.log(
      `  ingest into LMDB         ${fmt(rate)} lines/s (${ing.seconds.toFixed(2)} s first line to ` +
        `last commit; ${fmt(N / ing.cpu)} lines per CPU-second)   target >= ${fmt(TARGET_RATE)} ` +
        `lines/s -> ${rate >= TARGET_RATE ? 'MET' : 'NOT MET'}`,
    );
    console.log(
      `  ingest / no-op           ${(100 * (rate / noopRate)).toFixed(1)}% wall-clock, ` +
        `${(100 * (noop.cpu / ing.cpu)).toFixed(1)}% by CPU time   target >= ${100 * TARGET_SHARE}% ` +
        `-> ${rate / noopRate >= TARGET_SHARE ? 'MET' : 'NOT MET'}`,
    );
    console.log(
      `  ingest + online join     ${fmt(N / joined.seconds)} lines/s (runs in ABBA order, each ` +
        `figure the mean of two) (${joined.seconds.toFixed(2)} s; ${fmt(N / joined.cpu)} lines per ` +
        `CPU-second) = ${(100 * (ing.seconds / joined.seconds)).toFixed(1)}% of the rate without it, ` +
        `${(100 * (ing.cpu / joined.cpu)).toFixed(1)}% by CPU time   target >= ${fmt(TARGET_RATE)} lines/s -> ` +
        `${N / joined.seconds >= TARGET_RATE ? 'MET' : 'NOT MET'}`,
    );
    console.log(
      `  online rows              ${fmt(joined.onlineBytes)} bytes in the online sub-db's pages for ` +
        `${fmt(joined.requests)} request lines = ` +
        `${fmt((joined.onlineBytes / Math.max(1, joined.requests)) * 1e6)} bytes per million answers joined`,
    );
    console.log(
      `  LMDB used                ${fmt(ing.usedBytes)} bytes in the tables' pages (file ` +
        `${fmt(ing.fileBytes)}) for ${fmt(ing.watch)} watch lines = ${fmt(perMillion)} bytes per ` +
        `million watch lines (all tables)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(dirJoin, { recursive: true, force: true });
    const a = kafka.admin();
    await a.connect();
    await a.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await a.disconnect();
  }
  process.exit(0);
}

void main();
