// The Piscina scoring worker: reads the user's history from LMDB, holds the
// role's model slot for the duration of one query, and ranks with the top-K kernel.
import { BroadcastChannel, threadId, workerData } from 'node:worker_threads';
import { openStore } from '../src/store/store';
import { SlotReader, type Role } from '../src/release/slots';
import { prepareModel, type PreparedModel } from '../src/release/prepared-model';
import { rankUser } from '../src/release/rank';
import { createScoringMetrics } from '../src/release/metrics';
import type { MetricsReply, MetricsRequest, PrepareReply, PrepareRequest, ScoreResult, ScoreTask, ScoreWorkerData } from '../src/release/score-task';

const data = workerData as ScoreWorkerData;
const reader = new SlotReader(data.shared);
const store = openStore(data.dataDir, { readOnly: true });
const metrics = createScoringMetrics();
const cache = new Map<number, { generation: number; model: PreparedModel }>();

const channel = new BroadcastChannel(data.metricsChannel);
channel.unref();
channel.postMessage({ hello: threadId });
channel.onmessage = (ev) => {
  const msg = (ev as MessageEvent).data as Partial<MetricsRequest & PrepareRequest>;
  if (typeof msg.request === 'number') {
    const request = msg.request;
    void metrics.registry.getMetricsAsJSON().then((m) => channel.postMessage({ reply: request, threadId, metrics: m } satisfies MetricsReply));
  } else if (msg.prepare) {
    const { slot, generation } = msg.prepare;
    // Leased by generation: a request that arrives after the publisher gave up
    // waiting finds the slot restamped (or being refilled) and is ignored.
    const lease = reader.acquireSlot(slot, generation);
    if (!lease) return;
    try {
      modelOf(slot, generation, lease.bytes);
    } finally {
      reader.release(lease);
    }
    channel.postMessage({ prepared: generation, threadId } satisfies PrepareReply);
  }
};

/** The parsed view of a slot, rebuilt only when the slot holds a newer generation. */
function modelOf(slot: number, generation: number, bytes: Uint8Array): PreparedModel {
  const hit = cache.get(slot);
  if (hit && hit.generation === generation) return hit.model;
  // The main thread verified the checksum before publishing: no second hash here.
  const model = prepareModel(bytes, { verify: false, label: `slot ${slot}` });
  cache.set(slot, { generation, model });
  return model;
}

export default function score(task: ScoreTask): ScoreResult {
  const started = process.hrtime.bigint();
  const lease = reader.acquire(task.role);
  if (!lease) return { threadId, ok: false, reason: 'no-model' };
  try {
    const model = modelOf(lease.slot, lease.generation, lease.bytes);
    const user = { userId: task.userId, seen: store.seenMovies(task.userId), info: store.userInfo(task.userId) };
    const ranked = rankUser(model, user, data);
    const role: Role = lease.role;
    metrics.answers.inc({ role, model: model.view.id, source: ranked.source });
    if (ranked.source === 'cold-start') metrics.coldStarts.inc({ role });
    metrics.latency.observe({ role }, Number(process.hrtime.bigint() - started) / 1e9);
    return { threadId, ok: true, items: ranked.items, modelId: model.view.id, generation: lease.generation, source: ranked.source };
  } finally {
    reader.release(lease);
  }
}
