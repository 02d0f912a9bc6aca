// The contract between train-child.ts and the thread that starts and reaps the
// training child (workers/train-supervisor.ts): what the thread is given, what
// it is told and what it says, each tagged by `kind`.

export interface TrainSupervisorData {
  /** The whole command: priority wrappers, node, its flags, the CLI and its arguments. */
  argv: string[];
  env: Record<string, string | undefined>;
  /** The child is killed (SIGKILL) after this long. */
  timeoutMs: number;
  /** Niceness to set on the child after the start, when no `nice` wrapper could (null: none). */
  renice: number | null;
}

export type ToSupervisor = { kind: 'kill' };

export type FromSupervisor =
  | { kind: 'started'; pid: number | undefined }
  /** The command could not be started at all. */
  | { kind: 'error'; message: string }
  /** The child ended and its pipes closed: its exit, its whole stdout and the tail of its stderr. */
  | { kind: 'closed'; code: number | null; signal: string | null; out: string; err: string };
