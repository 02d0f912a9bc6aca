// The slot loader reads and hashes an artifact in one pass off the main thread:
// a good file lands byte for byte in the slot, and every way a file can be
// wrong is refused with its own error, whatever the chunking.
import t from 'tap';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadVerified } from '../../src/scoring/load-artifact';
import { encodeArtifact, type ModelParts } from '../../src/model/artifact';

function parts(users: number): ModelParts {
  const k = 8;
  const items = 300;
  return {
    id: 'mf-20261204T000000Z-loader',
    kind: 'mf',
    factors: k,
    globalMean: 3.5,
    scoring: 'dot+itemBias',
    userIds: Uint32Array.from({ length: users }, (_, i) => i + 1),
    userFactors: Float32Array.from({ length: users * k }, (_, i) => Math.sin(i)),
    userBias: new Float32Array(users),
    itemIds: Array.from({ length: items }, (_, i) => `movie+${i}`),
    itemFactors: Float32Array.from({ length: items * k }, (_, i) => Math.cos(i)),
    itemBias: new Float32Array(items),
    itemFlags: new Uint8Array(items),
    popularity: Float32Array.from({ length: items }, (_, i) => items - i),
    segments: {},
  };
}

const slot = (bytes: number) => new Uint8Array(new SharedArrayBuffer(bytes), 0, bytes);

t.test('a good artifact of several chunks is copied exactly and its steps are timed', async (t) => {
  // About 9 MiB: more than two of the loader's 4 MiB chunks, the last one partial.
  const bytes = encodeArtifact(parts(240_000));
  t.ok(
    bytes.byteLength > 8 * 2 ** 20 && bytes.byteLength % (4 * 2 ** 20) !== 0,
    `${bytes.byteLength} bytes span chunks unevenly`,
  );
  const file = join(t.testdir(), 'good.bin');
  writeFileSync(file, bytes);
  const target = slot(bytes.byteLength);
  const steps = await loadVerified(file, target);
  t.ok(Buffer.from(target.buffer).equals(bytes), 'the slot holds the file');
  t.ok(steps.readMs >= 0 && steps.verifyMs >= 0, 'both steps timed');
});

t.test('a flipped byte in any chunk, or in the checksum itself, is refused as a checksum mismatch', async (t) => {
  const good = encodeArtifact(parts(240_000));
  const dir = t.testdir();
  for (const at of [100, 4 * 2 ** 20 + 7, good.byteLength - 40, good.byteLength - 1]) {
    const bad = Buffer.from(good);
    bad[at]! ^= 0x01;
    const file = join(dir, `bad-${at}.bin`);
    writeFileSync(file, bad);
    await t.rejects(loadVerified(file, slot(bad.byteLength)), { code: 'MOVREC_ERR_MODEL_CHECKSUM' }, `byte ${at}`);
  }
});

t.test('a file shorter than its slot, a stub, a missing file and a slot that is not shared are refused', async (t) => {
  const dir = t.testdir();
  const good = encodeArtifact(parts(1_000));
  const file = join(dir, 'm.bin');
  writeFileSync(file, good);
  // The slot was sized for a larger file: it shrank between sizing and reading.
  await t.rejects(loadVerified(file, slot(good.byteLength + 10)), {
    code: 'MOVREC_ERR_MODEL_FORMAT',
    message: new RegExp(`read ${good.byteLength} of ${good.byteLength + 10} bytes`),
  });
  const stub = join(dir, 'stub.bin');
  writeFileSync(stub, Buffer.from('MVRC'));
  await t.rejects(loadVerified(stub, slot(4)), { code: 'MOVREC_ERR_MODEL_FORMAT' }, 'too short for a header');
  await t.rejects(loadVerified(join(dir, 'absent.bin'), slot(16)), { code: 'ENOENT' });
  await t.rejects(loadVerified(file, new Uint8Array(good.byteLength)), TypeError);
  t.ok(readFileSync(file).equals(good), 'the file is untouched');
});
