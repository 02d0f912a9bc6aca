// Filling a slot without stalling the serving threads: one short-lived worker
// thread, at a lower priority than the scorers (nice 10, Linux lowers only that
// thread), reads the file into the shared slot in chunks and hashes each chunk
// while it is still in cache. One pass over the 259 MiB of a 1M-user model
// instead of a read on libuv's pool at full priority and then a second pass
// for the sha256: a swap under load takes less of the 2 cores from the answers.
import { Worker } from 'node:worker_threads';
import { Errors } from '../errors';
import { readHeader } from '../model/artifact';

// Small enough that a chunk is hashed from cache right after it was read.
const CHUNK = 4 * 2 ** 20;
const CHECKSUM_BYTES = 32;

// Plain JavaScript evaluated in the worker: no compiled file to locate (works from src, dist and a bundle).
const LOAD_WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
try { require('node:os').setPriority(10); } catch {}
function load({ file, buffer, length, checksumBytes, chunk }) {
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
      if (n === 0) return { shrankAt: done };
      if (done < end) hash.update(target.subarray(done, Math.min(done + n, end)));
      hashMs += performance.now() - t1;
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  const ok = length >= checksumBytes && Buffer.from(buffer, end, checksumBytes).equals(hash.digest());
  return { ok, readMs, hashMs };
}
try {
  parentPort.postMessage(load(workerData));
} catch (e) {
  parentPort.postMessage({ failed: { message: e.message, code: e.code } });
}
`;

type LoadReply =
  | { ok: boolean; readMs: number; hashMs: number }
  | { shrankAt: number }
  | { failed: { message: string; code?: string } };

function loadOffThread(file: string, target: Uint8Array): Promise<LoadReply> {
  return new Promise((resolve, reject) => {
    const w = new Worker(LOAD_WORKER, {
      eval: true,
      workerData: {
        file,
        buffer: target.buffer,
        length: target.byteLength,
        checksumBytes: CHECKSUM_BYTES,
        chunk: CHUNK,
      },
    });
    w.once('message', (r: LoadReply) => resolve(r));
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`artifact loading worker exited with code ${code}`));
    });
  });
}

/**
 * Reads an artifact into a slot (`target`: a view at offset 0 of a
 * SharedArrayBuffer, exactly the file's size) and verifies its trailing
 * sha256; throws MOVREC_ERR_MODEL_FORMAT / _CHECKSUM, or the file system's
 * error. Returns the time of each step (summed over the chunks).
 */
export async function loadVerified(file: string, target: Uint8Array): Promise<{ readMs: number; verifyMs: number }> {
  if (!(target.buffer instanceof SharedArrayBuffer) || target.byteOffset !== 0)
    throw new TypeError('loadVerified needs a view at offset 0 of a SharedArrayBuffer');
  const r = await loadOffThread(file, target);
  if ('failed' in r)
    throw Object.assign(new Error(r.failed.message), r.failed.code === undefined ? {} : { code: r.failed.code });
  if ('shrankAt' in r)
    throw Errors.modelFormat(file, `read ${r.shrankAt} of ${target.byteLength} bytes: the file shrank while loading`);
  const header = readHeader(target, file);
  if (!r.ok) throw Errors.modelChecksum(header.id ?? file);
  return { readMs: Math.round(r.readMs), verifyMs: Math.round(r.hashMs) };
}
