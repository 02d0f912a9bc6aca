// The artifact loader's short-lived thread (started by
// src/scoring/load-artifact.ts): at a lower priority than the scorers, reads
// the file into the shared slot in chunks and hashes each chunk while it is
// still in cache, then replies once and exits.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { ArtifactLoadData, ArtifactLoadReply } from '../src/scoring/artifact-load-messages';

// Nice 10: Linux lowers only this thread; where it is not allowed the load runs at the usual priority.
try {
  setPriority(10);
} catch {}

function load({ file, buffer, length, checksumBytes, chunk }: ArtifactLoadData): ArtifactLoadReply {
  const target = new Uint8Array(buffer, 0, length);
  const end = Math.max(0, length - checksumBytes);
  const hash = createHash('sha256');
  let readMs = 0;
  let hashMs = 0;
  let done = 0;
  const fd = openSync(file, 'r');
  try {
    while (done < length) {
      const t0 = performance.now();
      const n = readSync(fd, target, done, Math.min(chunk, length - done), done);
      const t1 = performance.now();
      readMs += t1 - t0;
      if (n === 0) return { kind: 'shrank', at: done };
      if (done < end) hash.update(target.subarray(done, Math.min(done + n, end)));
      hashMs += performance.now() - t1;
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  const ok = length >= checksumBytes && Buffer.from(buffer, end, checksumBytes).equals(hash.digest());
  return { kind: 'loaded', ok, readMs, hashMs };
}

let reply: ArtifactLoadReply;
try {
  reply = load(workerData as ArtifactLoadData);
} catch (e) {
  const err = e as NodeJS.ErrnoException;
  reply =
    err.code === undefined
      ? { kind: 'failed', message: err.message }
      : { kind: 'failed', message: err.message, code: err.code };
}
parentPort!.postMessage(reply);
