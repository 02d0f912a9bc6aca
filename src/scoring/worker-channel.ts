// The side channel to the scoring workers (a BroadcastChannel beside the task
// queue): which workers are up, their metrics, and parsing a slot before it serves.
import { BroadcastChannel } from 'node:worker_threads';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { ScorePool } from './pool';
import type { ChannelMessage } from './score-task';

/** One worker's registry.getMetricsAsJSON(), ready for AggregatorRegistry.aggregate. */
export type WorkerMetricsJson = MetricObjectWithValues<MetricValue<string>>[];

export interface WorkerChannel {
  /** Records that a worker is up (a task result proves it as well as a hello). */
  markReady(threadId: number): void;
  /** Gathers each ready worker's metrics (those that answer within the bound). */
  workerMetrics(): Promise<WorkerMetricsJson[]>;
  /**
   * Lets workers parse a filled slot before it serves, so no answer pays for
   * the parse: one worker at a time, since a worker parsing (tens of ms for a
   * large model) answers nothing meanwhile, and all of them at once would
   * stall every request in flight.
   */
  prepareWorkers(slot: number, generation: number, packedItems: SharedArrayBuffer | undefined): Promise<void>;
  close(): void;
}

const METRICS_TIMEOUT_MS = 2000;
const PREPARE_TIMEOUT_MS = 2000;

export function openWorkerChannel(name: string, pool: ScorePool): WorkerChannel {
  const channel = new BroadcastChannel(name);
  channel.unref();
  // Piscina loads the worker script at a worker's first task: only workers that
  // said hello have a registry to report.
  const ready = new Set<number>();
  channel.addEventListener('message', (ev) => {
    const m = (ev as MessageEvent).data as ChannelMessage;
    if (m.kind === 'hello') ready.add(m.threadId);
  });
  let metricsRequest = 0;

  function readyWorkers(): number[] {
    return pool.threads.map((w) => w.threadId).filter((id) => ready.has(id));
  }

  /**
   * Broadcasts `message` and gathers one reply per ready worker (those that answer within the bound), or `want`
   * replies.
   */
  function askWorkers<R>(
    message: ChannelMessage,
    pick: (m: ChannelMessage) => { threadId: number; value: R } | undefined,
    timeoutMs: number,
    want = readyWorkers().length,
  ): Promise<R[]> {
    const got = new Map<number, R>();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        channel.removeEventListener('message', onMessage);
        resolve([...got.values()]);
      };
      // A worker busy with a long task answers late: return what arrived.
      const timer = setTimeout(done, timeoutMs);
      const onMessage = (ev: Event) => {
        const r = pick((ev as MessageEvent).data as ChannelMessage);
        if (!r) return;
        got.set(r.threadId, r.value);
        if (got.size >= want) done();
      };
      channel.addEventListener('message', onMessage);
      if (want === 0) done();
      else channel.postMessage(message);
    });
  }

  return {
    markReady(threadId) {
      ready.add(threadId);
    },
    workerMetrics() {
      const request = ++metricsRequest;
      return askWorkers<WorkerMetricsJson>(
        { kind: 'metrics-request', request },
        (m) =>
          m.kind === 'metrics' && m.request === request
            ? { threadId: m.threadId, value: m.metrics as WorkerMetricsJson }
            : undefined,
        METRICS_TIMEOUT_MS,
      );
    },
    async prepareWorkers(slot, generation, packedItems) {
      for (const threadId of readyWorkers()) {
        await askWorkers<number>(
          { kind: 'prepare', slot, generation, threadId, packedItems },
          (m) =>
            m.kind === 'prepared' && m.generation === generation && m.threadId === threadId
              ? { threadId, value: generation }
              : undefined,
          PREPARE_TIMEOUT_MS,
          1,
        );
      }
    },
    close() {
      channel.close();
    },
  };
}
