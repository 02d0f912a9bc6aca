// Filling a slot without stalling the main thread: the file is read by libuv's
// thread pool in chunks, and the sha256 is computed in a short-lived worker
// thread over the shared slot. A synchronous read + hash of a 1M-user model
// would block the HTTP front for most of a second.
import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { Errors } from '../errors';
import { readHeader } from '../model/artifact';

const CHUNK = 16 * 2 ** 20;
const CHECKSUM_BYTES = 32;

/** Reads the whole file into `target`, which must be exactly the file's size. */
export async function readInto(file: string, target: Uint8Array): Promise<void> {
  const fh = await open(file, 'r');
  try {
    let done = 0;
    while (done < target.byteLength) {
      const { bytesRead } = await fh.read(target, done, Math.min(CHUNK, target.byteLength - done), done);
      if (bytesRead === 0) throw Errors.modelFormat(file, `read ${done} of ${target.byteLength} bytes: the file shrank while loading`);
      done += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

// Plain JavaScript evaluated in the worker: no compiled file to locate (works from src, dist and a bundle).
const HASH_WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
// On Linux this lowers only this thread's priority: the scorers keep the cores during a swap.
try { require('node:os').setPriority(10); } catch {}
const { buffer, length, checksumBytes } = workerData;
const end = length - checksumBytes;
const digest = createHash('sha256').update(new Uint8Array(buffer, 0, end)).digest();
parentPort.postMessage(Buffer.from(buffer, end, checksumBytes).equals(digest));
`;

/** True when the trailing sha256 of the artifact in `bytes` (at offset 0 of a SharedArrayBuffer) matches. */
export function checksumOffThread(bytes: Uint8Array): Promise<boolean> {
  if (!(bytes.buffer instanceof SharedArrayBuffer) || bytes.byteOffset !== 0) throw new TypeError('checksumOffThread needs a view at offset 0 of a SharedArrayBuffer');
  if (bytes.byteLength < CHECKSUM_BYTES) return Promise.resolve(false);
  return new Promise((resolve, reject) => {
    const w = new Worker(HASH_WORKER, { eval: true, workerData: { buffer: bytes.buffer, length: bytes.byteLength, checksumBytes: CHECKSUM_BYTES } });
    w.once('message', (ok: boolean) => resolve(ok));
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`checksum worker exited with code ${code}`));
    });
  });
}

/** Reads and verifies an artifact into a slot; throws MOVREC_ERR_MODEL_FORMAT / _CHECKSUM. Returns the time of each step. */
export async function loadVerified(file: string, target: Uint8Array): Promise<{ readMs: number; verifyMs: number }> {
  const t0 = performance.now();
  await readInto(file, target);
  const t1 = performance.now();
  const header = readHeader(target, file);
  if (!(await checksumOffThread(target))) throw Errors.modelChecksum(header.id ?? file);
  return { readMs: Math.round(t1 - t0), verifyMs: Math.round(performance.now() - t1) };
}
