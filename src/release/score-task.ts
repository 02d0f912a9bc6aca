// The messages between the scorer (main thread) and workers/score.ts.
import type { SlotShared, Role } from './slots';

export interface ScoreWorkerData {
  dataDir: string;
  listSize: number;
  unknownAgeIsMinor: boolean;
  shared: SlotShared;
  /** BroadcastChannel on which workers answer metric collection requests. */
  metricsChannel: string;
}

/** A batch: users[i] is answered from the model serving roles[i]; one pass of the kernel serves a role's users. */
export interface ScoreTask {
  users: number[];
  roles: Role[];
}

/** No model published yet is an expected outcome: a value, turned into a coded error on the main thread. */
export type ScoreAnswer =
  | { ok: true; line: string; modelId: string; generation: number; source: 'model' | 'cold-start' }
  | { ok: false; reason: 'no-model' };

/** answers[i] answers the task's users[i]. */
export interface ScoreResult {
  threadId: number;
  answers: ScoreAnswer[];
}

export interface MetricsRequest {
  request: number;
}

/**
 * Sent before a flip: workers parse the new slot so the first answer after the
 * flip does not, and take the item factors the scorer packed once into shared
 * memory for every worker (packedItems: float32, the kernels' layout).
 */
export interface PrepareRequest {
  /** `threadId`: the one worker asked (workers prepare one at a time, so the others keep answering). */
  prepare: { slot: number; generation: number; threadId: number; packedItems?: SharedArrayBuffer };
}

export interface PrepareReply {
  prepared: number;
  threadId: number;
}

export interface MetricsReply {
  reply: number;
  threadId: number;
  metrics: unknown[];
}
