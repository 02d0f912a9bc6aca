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

export interface ScoreTask {
  userId: number;
  role: Role;
}

/** No model published yet is an expected outcome: a value, turned into a coded error on the main thread. */
export type ScoreResult = { threadId: number } & (
  | { ok: true; items: string[]; modelId: string; generation: number; source: 'model' | 'cold-start' }
  | { ok: false; reason: 'no-model' }
);

export interface MetricsRequest {
  request: number;
}

/** Sent before a flip: workers parse the new slot so the first answer after the flip does not. */
export interface PrepareRequest {
  prepare: { slot: number; generation: number };
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
