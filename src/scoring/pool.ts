// The scoring worker pool's lifecycle: a fixed set of Piscina workers over the
// shared model slots, kept for the scorer's life.
import { existsSync } from 'node:fs';
import Piscina from 'piscina';
import { Errors } from '../errors';
import { workerEntry } from '../package-root';
import type { ScoreResult, ScoreTask, ScoreWorkerData } from './score-task';

export type ScorePool = Piscina<ScoreTask, ScoreResult>;

/** The worker script: `workerFile` when given, else the compiled workers/score.ts; refused when missing. */
export function workerScript(workerFile?: string): string {
  if (workerFile === undefined) return workerEntry('score', 'scoring worker');
  if (!existsSync(workerFile))
    throw Errors.config(`scoring worker ${workerFile} is missing: build with npx tsc -p tsconfig.build.json`);
  return workerFile;
}

/** Starts `threads` workers running `filename`. */
export function createPool(threads: number, workerData: ScoreWorkerData, filename: string): ScorePool {
  return new Piscina<ScoreTask, ScoreResult>({
    filename,
    minThreads: threads,
    maxThreads: threads,
    // Workers hold an LMDB handle and parsed model views: keep them for the pool's life.
    idleTimeout: Number.POSITIVE_INFINITY,
    // 'sync' parks idle workers in Atomics.wait, so they would never see a metrics request.
    atomics: 'async',
    // The batcher keeps one task queued ahead per worker: posted to the worker at once, it starts the
    // moment the last one ends, not after the main thread has handled that answer and posted the next.
    concurrentTasksPerWorker: 2,
    workerData,
  });
}
