// The messages between the scorer (main thread) and workers/score.ts: the task
// and its result through Piscina, the rest on a BroadcastChannel.
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

/** A model that answered some of a task's users. */
export interface ServedBy {
  modelId: string;
  generation: number;
}

/**
 * Entry i answers the task's users[i], in flat arrays (cheap to copy between
 * threads: no object per answer). No model published yet for a user's role
 * is an expected outcome: model[i] = -1, turned into a coded error on the
 * main thread.
 */
export interface ScoreResult {
  threadId: number;
  /**
   * The answer lines' UTF-8 bytes, back to back: user i's ends at ends[i] and starts where user i - 1's ends (empty
   * where no model answered).
   */
  body: Uint8Array;
  ends: Int32Array;
  /** Index into `models` of the model that answered, or -1. */
  model: Int8Array;
  /** 1: from the cold-start list (the model does not know the user, or too little history), 0: ranked by the model. */
  cold: Uint8Array;
  models: ServedBy[];
}

/**
 * What is said on the scoring BroadcastChannel, beside the task queue. Every
 * party hears every message (workers hear each other's replies too), so each
 * switches on `kind` and acts only on its own.
 */
export type ChannelMessage =
  /** A worker has loaded its script and has a metrics registry to report. */
  | { kind: 'hello'; threadId: number }
  /** The scorer asks every worker for its metrics; `request` numbers the round. */
  | { kind: 'metrics-request'; request: number }
  | { kind: 'metrics'; request: number; threadId: number; metrics: unknown[] }
  /**
   * Sent before a flip to one worker (`threadId`; workers prepare one at a
   * time, so the others keep answering): parse the new slot so the first
   * answer after the flip does not, and take the item factors the scorer
   * packed once into shared memory for every worker (packedItems: float32,
   * the kernels' layout).
   */
  | { kind: 'prepare'; slot: number; generation: number; threadId: number; packedItems?: SharedArrayBuffer }
  | { kind: 'prepared'; generation: number; threadId: number };
