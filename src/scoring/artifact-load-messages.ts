// The contract between load-artifact.ts and its thread (workers/load-artifact.ts):
// what the thread is given and its one reply, tagged by `kind`.

export interface ArtifactLoadData {
  file: string;
  /** The slot's memory: the file is read into its first `length` bytes. */
  buffer: SharedArrayBuffer;
  length: number;
  /** The trailing sha256 over everything before it. */
  checksumBytes: number;
  /** Bytes read and hashed at a time. */
  chunk: number;
}

export type ArtifactLoadReply =
  /** Read whole; `ok`: the trailing checksum matches. Times summed over the chunks. */
  | { kind: 'loaded'; ok: boolean; readMs: number; hashMs: number }
  /** The file ended at `at`, before the length it had when the load began. */
  | { kind: 'shrank'; at: number }
  /** The file system refused (the error's message and code). */
  | { kind: 'failed'; message: string; code?: string };
