// One timer for every pending answer: the budget is the same for all, so
// deadlines expire in arrival order and a FIFO replaces a setTimeout per request.
import { performance } from 'node:perf_hooks';

export interface Deadline {
  /** Set when the answer was written or the deadline fired; later events are ignored. */
  done: boolean;
  readonly at: number;
  readonly onExpire: () => void;
}

export interface DeadlineQueue {
  add(onExpire: () => void): Deadline;
  /** Fires nothing more; pending deadlines are dropped (their answers are still written when scoring ends). */
  stop(): void;
}

export function createDeadlineQueue(budgetMs: number): DeadlineQueue {
  let queue: Deadline[] = [];
  let head = 0;
  let timer: NodeJS.Timeout | undefined;

  const schedule = (now: number): void => {
    while (head < queue.length && queue[head]!.done) head++;
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    if (head === queue.length) {
      queue = [];
      head = 0;
      timer = undefined;
      return;
    }
    timer = setTimeout(fire, Math.max(0, queue[head]!.at - now));
  };

  const fire = (): void => {
    const now = performance.now();
    while (head < queue.length) {
      const d = queue[head]!;
      if (!d.done) {
        if (d.at > now) break;
        d.done = true;
        d.onExpire();
      }
      head++;
    }
    schedule(now);
  };

  return {
    add(onExpire) {
      const now = performance.now();
      const d: Deadline = { done: false, at: now + budgetMs, onExpire };
      queue.push(d);
      if (timer === undefined) schedule(now);
      return d;
    },
    stop() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      queue = [];
      head = 0;
    },
  };
}
