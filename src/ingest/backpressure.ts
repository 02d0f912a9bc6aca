// Backpressure: the source's push waits while the queue is over its bound,
// counted once per wait.
import { backpressure } from './metrics';

export interface Backpressure {
  /** Resolves at once when there is room, else when release() finds some. */
  waitForRoom(): Promise<void>;
  /** Lets every waiting push go on, when there is room again. */
  release(): void;
}

/** `full` says whether pushes must wait now (over the bound and not stopping). */
export function createBackpressure(full: () => boolean): Backpressure {
  let waiters: (() => void)[] = [];
  return {
    async waitForRoom() {
      if (!full()) return;
      backpressure.inc();
      await new Promise<void>((r) => waiters.push(r));
    },
    release() {
      if (full()) return;
      const ws = waiters;
      waiters = [];
      for (const w of ws) w();
    },
  };
}
