// Ends a bounded ingest run when no line has arrived for a while.

export interface IdleTimer {
  /** Starts (or restarts) the clock. */
  arm(): void;
  clear(): void;
}

/** With no `ms`, never fires. */
export function idleTimer(ms: number | undefined, onIdle: () => void): IdleTimer {
  let timer: NodeJS.Timeout | null = null;
  return {
    arm() {
      if (!ms) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(onIdle, ms);
    },
    clear() {
      if (timer) clearTimeout(timer);
    },
  };
}
