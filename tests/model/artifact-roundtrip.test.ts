import t from 'tap';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import {
  ALIGN,
  artifactSize,
  encodeArtifact,
  readArtifactInto,
  viewArtifact,
  writeArtifact,
  FLAG_ADULT,
  type ModelParts,
} from '../../src/model/artifact';

function parts(): ModelParts {
  const k = 4;
  return {
    id: 'm-test-1',
    kind: 'mf',
    factors: k,
    globalMean: 3.6,
    scoring: 'dot+itemBias',
    userIds: Uint32Array.from([3, 17, 900]),
    userFactors: Float32Array.from({ length: 3 * k }, (_, i) => i / 10),
    userBias: Float32Array.from([0.1, -0.2, 0.3]),
    itemIds: ['aliens+1986', 'amlie+2001', 'cheech++chong+get+out+of+my+room+1985'],
    itemFactors: Float32Array.from({ length: 3 * k }, (_, i) => -i / 7),
    itemBias: Float32Array.from([0.5, 0, -0.5]),
    itemFlags: Uint8Array.from([0, FLAG_ADULT, 0]),
    popularity: Float32Array.from([10, 5, 1]),
    segments: { 'M|25-34': [0, 2], 'F|<18': [2] },
  };
}

t.test('an artifact written to disk reads back identically, aligned for SIMD', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'm.bin');
  const p = parts();
  writeArtifact(file, p);
  const v = viewArtifact(readFileSync(file));
  t.equal(v.id, p.id);
  t.same(Array.from(v.userFactors), Array.from(p.userFactors));
  t.same(Array.from(v.itemFactors), Array.from(p.itemFactors));
  t.same(v.itemIds, p.itemIds);
  t.same(v.segments, p.segments);
  t.equal(v.itemFlags[1], FLAG_ADULT);
  t.equal(v.userIndex(17), 1);
  t.equal(v.userIndex(18), -1);
  for (const s of Object.values(v.header.sections)) t.equal(s.offset % ALIGN, 0);
});

t.test('an artifact read into a SharedArrayBuffer is viewed without copies', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'm.bin');
  writeArtifact(file, parts());
  const sab = new SharedArrayBuffer(artifactSize(file) + 1024);
  const n = readArtifactInto(file, new Uint8Array(sab));
  const v = viewArtifact(new Uint8Array(sab, 0, n));
  t.equal(v.itemFactors.buffer, sab, 'factors alias the shared buffer');
  t.throws(() => readArtifactInto(file, new Uint8Array(new SharedArrayBuffer(64))), {
    code: 'MOVREC_ERR_MODEL_FORMAT',
    message: /does not fit a slot/,
  });
});

t.test('corruption is refused: checksum, magic, version, truncation', async (t) => {
  const good = encodeArtifact(parts());
  const flipped = Buffer.from(good);
  flipped[good.length - 100]! ^= 0xff;
  t.throws(() => viewArtifact(flipped), { code: 'MOVREC_ERR_MODEL_CHECKSUM' });
  const magic = Buffer.from(good);
  magic.write('NOTAMODL', 0, 'latin1');
  t.throws(() => viewArtifact(magic), { code: 'MOVREC_ERR_MODEL_FORMAT', message: /bad magic/ });
  const version = Buffer.from(good);
  version.writeUInt32LE(99, 8);
  t.throws(() => viewArtifact(version), { message: /format version 99 is not supported/ });
  t.throws(() => viewArtifact(good.subarray(0, 40)), { code: 'MOVREC_ERR_MODEL_FORMAT' });
  const dir = t.testdir();
  writeFileSync(join(dir, 'x'), good);
  t.ok(viewArtifact(readFileSync(join(dir, 'x'))), 'the untouched bytes still verify');
});

t.test('inconsistent parts are refused before anything is written', async (t) => {
  const p = parts();
  p.userIds = Uint32Array.from([17, 3, 900]);
  t.throws(() => encodeArtifact(p), { message: /strictly ascending/ });
  const q = parts();
  q.itemBias = new Float32Array(2);
  t.throws(() => encodeArtifact(q), { message: /itemBias has 2 entries, expected 3/ });
});

t.test(
  'a user id is found at its row whether the ids are dense, gappy or a single one, and missing ids are -1',
  async (t) => {
    const withUsers = (ids: number[]): ReturnType<typeof viewArtifact> => {
      const p = parts();
      p.userIds = Uint32Array.from(ids);
      p.userFactors = new Float32Array(ids.length * p.factors);
      p.userBias = new Float32Array(ids.length);
      return viewArtifact(encodeArtifact(p));
    };
    const dense = Array.from({ length: 500 }, (_, i) => i + 1);
    // Runs of consecutive ids broken by gaps of every width, as real id spaces are after deletions.
    const gappy: number[] = [];
    for (let id = 7, step = 1; gappy.length < 500; id += step, step = (step * 7 + 3) % 11 || 1) gappy.push(id);
    const cases: [string, number[]][] = [
      ['dense', dense],
      ['gappy', gappy],
      ['one user', [42]],
      ['two far apart', [1, 4_000_000_000]],
    ];
    for (const [name, ids] of cases) {
      const v = withUsers(ids);
      const last = ids[ids.length - 1]!;
      let wrong = 0;
      for (let id = 0; id <= Math.min(last + 3, 2_000); id++) if (v.userIndex(id) !== ids.indexOf(id)) wrong++;
      for (const id of [last, last + 1, 4_294_967_295, -1, 0.5, Number.NaN])
        if (v.userIndex(id) !== ids.indexOf(id)) wrong++;
      t.equal(wrong, 0, `${name}: every id's row matches a linear scan`);
    }
    t.equal(withUsers([]).userIndex(1), -1, 'no users: -1');
  },
);
