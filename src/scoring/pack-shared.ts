// The item factors packed once for every scoring worker: into a
// SharedArrayBuffer that the prepare message hands to each worker, so workers
// neither pack (a stall of tens of ms while a swap is under way) nor hold a
// copy each (one per model instead of one per model and thread, and one
// matrix the workers' kernels stream through the shared cache instead of two).
import { BLOCK, packBlocks, packedLength } from '../../native/index';
import type { ModelView } from '../model/artifact';

/** Blocks packed per event-loop turn: about 64K floats, well under a millisecond, so requests keep flowing. */
const BLOCKS_PER_TURN = 64;

export async function packShared(view: ModelView): Promise<SharedArrayBuffer> {
  const n = view.itemIds.length;
  const k = view.factors;
  const buffer = new SharedArrayBuffer(packedLength(n, k) * Float32Array.BYTES_PER_ELEMENT);
  const out = new Float32Array(buffer);
  const blocks = Math.ceil(n / BLOCK);
  for (let q = 0; q < blocks; q += BLOCKS_PER_TURN) {
    packBlocks(view.itemFactors, n, k, out, q, Math.min(blocks, q + BLOCKS_PER_TURN));
    if (q + BLOCKS_PER_TURN < blocks) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return buffer;
}
