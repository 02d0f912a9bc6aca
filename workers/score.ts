// The Piscina scoring worker: answers a batch of users, reading each user's
// history from LMDB, holding the role's model slot for the batch, and ranking
// the role's users with one pass of the batched top-K kernel.
import { BroadcastChannel, threadId, workerData } from 'node:worker_threads';
import { openStore } from '../src/store/store';
import { SlotReader, type Role } from '../src/scoring/slots';
import { prepareModel, warmUpYielding, type PreparedModel } from '../src/scoring/prepared-model';
import { rankUsers, type Ranked } from '../src/scoring/rank';
import { readSeen } from '../src/scoring/id-table';
import { createScoringMetrics } from '../src/scoring/metrics';
import { int8Path, lineLengths, nativeStatus, writeLines } from '../native/index';
import { logger } from '../src/log';
import type { ChannelMessage, ScoreResult, ScoreTask, ScoreWorkerData } from '../src/scoring/score-task';

const data = workerData as ScoreWorkerData;
const reader = new SlotReader(data.shared);
const store = openStore(data.dataDir, { readOnly: true });
const metrics = createScoringMetrics();
// Which kernel this worker runs: an operator sees at /metrics whether the native addon loaded (the twins are tens of
// times slower).
metrics.kernel.labels(nativeStatus, int8Path()).set(1);
const cache = new Map<number, { generation: number; model: PreparedModel }>();

const channel = new BroadcastChannel(data.metricsChannel);
channel.unref();
const post = (m: ChannelMessage) => channel.postMessage(m);
post({ kind: 'hello', threadId });
channel.onmessage = (ev) => {
  const m = (ev as MessageEvent).data as ChannelMessage;
  switch (m.kind) {
    case 'metrics-request':
      void metrics.registry
        .getMetricsAsJSON()
        .then((json) => post({ kind: 'metrics', request: m.request, threadId, metrics: json }));
      return;
    case 'prepare':
      if (m.threadId === threadId) prepare(m.slot, m.generation, m.packedItems);
      return;
    // Other workers' messages.
    case 'hello':
    case 'metrics':
    case 'prepared':
      return;
    default:
      return m satisfies never;
  }
};

/** Parses a slot ahead of its flip, then says so. */
function prepare(slot: number, generation: number, packedItems: SharedArrayBuffer | undefined): void {
  // Leased by generation: a request that arrives after the publisher gave up
  // waiting finds the slot restamped (or being refilled) and is ignored.
  const lease = reader.acquireSlot(slot, generation);
  if (!lease) return;
  // Piece by piece, answering scoring tasks in between; the slot stays leased until the last piece
  // (a parse that throws becomes a rejection, so the lease is released either way).
  Promise.resolve()
    .then(() =>
      warmUpYielding(modelOf(slot, generation, lease.bytes, packedItems ? new Float32Array(packedItems) : undefined)),
    )
    .then(
      () => {
        reader.release(lease);
        post({ kind: 'prepared', generation, threadId });
      },
      (e: unknown) => {
        reader.release(lease);
        // No reply: the publisher stops waiting after its bound, and this worker parses the slot at its first task.
        logger().error({ err: e, slot, generation, threadId }, 'scoring worker: preparing the next model failed');
      },
    );
}

/**
 * The parsed view of a slot, rebuilt only when the slot holds a newer
 * generation; a worker that missed the prepare message packs its own copy.
 */
function modelOf(slot: number, generation: number, bytes: Uint8Array, packed?: Float32Array): PreparedModel {
  const hit = cache.get(slot);
  if (hit && hit.generation === generation) return hit.model;
  // The main thread verified the checksum before publishing: no second hash here.
  const model = prepareModel(bytes, { verify: false, label: `slot ${slot}`, packed });
  cache.set(slot, { generation, model });
  return model;
}

/** One role's ranked users of a batch, before their lines are written. */
interface RoleAnswers {
  model: PreparedModel;
  at: number[];
  ranked: Ranked[];
}

/** One role's users, ranked in one batch over the role's model slot (held for the batch only). */
function scoreRole(role: Role, users: number[], at: number[], out: ScoreResult, done: RoleAnswers[]): void {
  const started = process.hrtime.bigint();
  const lease = reader.acquire(role);
  if (!lease) return;
  try {
    const model = modelOf(lease.slot, lease.generation, lease.bytes);
    // Each seen list read from its stored bytes straight into the model's indices (decoded as ids only if they are not
    // the plain list expected).
    const facts = at.map((x) => {
      const userId = users[x]!;
      const bytes = store.seenBytes(userId);
      const seen = bytes ? (readSeen(bytes, model.idTable) ?? store.seenMovies(userId)) : [];
      return { userId, seen, info: store.userInfo(userId) };
    });
    const ranked = rankUsers(model, facts, data);
    const modelId = model.view.id;
    const servedAs: Role = lease.role;
    const m = out.models.push({ modelId, generation: lease.generation }) - 1;
    let scored = 0;
    for (let y = 0; y < ranked.length; y++) {
      const x = at[y]!;
      if (ranked[y]!.source === 'model') scored++;
      else out.cold[x] = 1;
      out.model[x] = m;
    }
    done.push({ model, at, ranked });
    // Counted once per batch and source (a labelled inc hashes its labels each call), observed once per answer.
    const cold = ranked.length - scored;
    if (scored > 0) metrics.answers.inc({ role: servedAs, model: modelId, source: 'model' }, scored);
    if (cold > 0) {
      metrics.answers.inc({ role: servedAs, model: modelId, source: 'cold-start' }, cold);
      metrics.coldStarts.inc({ role: servedAs }, cold);
    }
    // The batch's time shared evenly: one observation per answer, as with single queries.
    const perUser = Number(process.hrtime.bigint() - started) / 1e9 / at.length;
    metrics.latency.labels(servedAs).observe(perUser, ranked.length);
  } finally {
    reader.release(lease);
  }
}

export default function score(task: ScoreTask): ScoreResult {
  const n = task.users.length;
  const out: ScoreResult = {
    threadId,
    body: new Uint8Array(0),
    ends: new Int32Array(n),
    model: new Int8Array(n).fill(-1),
    cold: new Uint8Array(n),
    models: [],
  };
  const byRole = new Map<Role, number[]>();
  task.roles.forEach((role, x) => {
    const at = byRole.get(role);
    if (at) at.push(x);
    else byRole.set(role, [x]);
  });
  const done: RoleAnswers[] = [];
  for (const [role, at] of byRole) scoreRole(role, task.users, at, out, done);
  // The lines as bytes in one buffer, in the task's user order: one copy to the main thread, which
  // writes them to the socket as they are. Per role (its model's ids), every user's items back to
  // back, their lengths, then the lines, in two native calls.
  const flat = done.map((d) => {
    let total = 0;
    for (const r of d.ranked) total += r.items.length;
    const items = new Int32Array(total);
    const counts = new Int32Array(d.ranked.length);
    let o = 0;
    d.ranked.forEach((r, y) => {
      items.set(r.items, o);
      counts[y] = r.items.length;
      o += r.items.length;
    });
    const lens = new Int32Array(d.ranked.length);
    lineLengths(d.model.idEnds, items, counts, lens);
    lens.forEach((len, y) => {
      out.ends[d.at[y]!] = len;
    });
    return { items, counts };
  });
  // Lengths to ends, in task order (users no model answered have empty lines).
  let total = 0;
  for (let x = 0; x < n; x++) out.ends[x] = total += out.ends[x]!;
  out.body = new Uint8Array(total);
  done.forEach((d, g) => {
    const starts = Int32Array.from(d.at, (x) => (x > 0 ? out.ends[x - 1]! : 0));
    writeLines(d.model.idBytes, d.model.idEnds, flat[g]!.items, flat[g]!.counts, out.body, starts);
  });
  return out;
}
