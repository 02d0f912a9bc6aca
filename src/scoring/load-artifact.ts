// Filling a slot without stalling the serving threads: one short-lived worker
// thread (workers/load-artifact.ts), at a lower priority than the scorers,
// reads the file into the shared slot in chunks and hashes each chunk while it
// is still in cache. One pass over the 259 MiB of a 1M-user model instead of a
// read on libuv's pool at full priority and then a second pass for the sha256:
// a swap under load takes less of the 2 cores from the answers.
import { Worker } from 'node:worker_threads';
import { Errors } from '../errors';
import { readHeader } from '../model/artifact';
import { workerEntry } from '../package-root';
import type { ArtifactLoadData, ArtifactLoadReply } from './artifact-load-messages';

// Small enough that a chunk is hashed from cache right after it was read.
const CHUNK = 4 * 2 ** 20;
const CHECKSUM_BYTES = 32;

function loadOffThread(file: string, target: Uint8Array): Promise<ArtifactLoadReply> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerEntry('load-artifact', 'the artifact loading thread'), {
      workerData: {
        file,
        buffer: target.buffer as SharedArrayBuffer,
        length: target.byteLength,
        checksumBytes: CHECKSUM_BYTES,
        chunk: CHUNK,
      } satisfies ArtifactLoadData,
    });
    w.once('message', (r: ArtifactLoadReply) => resolve(r));
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
  switch (r.kind) {
    case 'failed':
      throw Object.assign(new Error(r.message), r.code === undefined ? {} : { code: r.code });
    case 'shrank':
      throw Errors.modelFormat(file, `read ${r.at} of ${target.byteLength} bytes: the file shrank while loading`);
    case 'loaded': {
      const header = readHeader(target, file);
      if (!r.ok) throw Errors.modelChecksum(header.id ?? file);
      return { readMs: Math.round(r.readMs), verifyMs: Math.round(r.hashMs) };
    }
    default:
      return r satisfies never;
  }
}
