// The immutable model artifact: what training writes and serving maps into a
// shared-memory slot without copying arrays one by one.
//
// Layout (little-endian):
//   0   8  magic "MOVRECM1"
//   8   4  format version (u32)
//   12  4  header JSON byte length H (u32)
//   16  H  header JSON: ArtifactHeader (sections hold byte offsets from file start)
//   ...    sections, each starting on a 64-byte boundary (cache line; SIMD loads)
//   end-32 sha256 of every byte before it
//
// Sections: userIds u32[nUsers] ascending (binary search), userFactors
// f32[nUsers*k], userBias f32[nUsers], itemFactors f32[nItems*k] row-major,
// itemBias f32[nItems], itemFlags u8[nItems] (bit 0: adult), popularity
// f32[nItems] (fallback score), itemIds utf8 joined by '\n', segments utf8
// JSON {segmentKey: itemIndex[]} (ranked cold-start lists).
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, writeFileSync, renameSync } from 'node:fs';
import { Errors } from '../errors';

export const MAGIC = 'MOVRECM1';
export const FORMAT_VERSION = 1;
export const ALIGN = 64;
const CHECKSUM_BYTES = 32;

export const FLAG_ADULT = 1;

export type SectionName =
  | 'userIds'
  | 'userFactors'
  | 'userBias'
  | 'itemFactors'
  | 'itemBias'
  | 'itemFlags'
  | 'popularity'
  | 'itemIds'
  | 'segments';

export interface Section {
  offset: number;
  bytes: number;
}

export interface ArtifactHeader {
  id: string;
  kind: string;
  factors: number;
  nUsers: number;
  nItems: number;
  globalMean: number;
  /** Added to every score: lets a kind say how it combines dot + biases. */
  scoring: 'dot+itemBias' | 'dot';
  sections: Record<SectionName, Section>;
}

export interface ModelParts {
  id: string;
  kind: string;
  factors: number;
  globalMean: number;
  scoring: ArtifactHeader['scoring'];
  userIds: Uint32Array;
  userFactors: Float32Array;
  userBias: Float32Array;
  itemIds: string[];
  itemFactors: Float32Array;
  itemBias: Float32Array;
  itemFlags: Uint8Array;
  popularity: Float32Array;
  segments: Record<string, number[]>;
}

/** Views over an artifact's bytes: typed arrays alias the buffer, nothing copied. */
export interface ModelView extends Omit<ModelParts, 'itemIds' | 'segments'> {
  header: ArtifactHeader;
  itemIds: string[];
  /** The same ids as stored: UTF-8, joined by '\n' (a view of the artifact, nothing copied). */
  itemIdBytes: Uint8Array;
  segments: Record<string, number[]>;
  /** Internal index of an external user id, or -1. */
  userIndex(userId: number): number;
}

const align = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

function sortedUsers(p: ModelParts): void {
  for (let i = 1; i < p.userIds.length; i++) {
    if (p.userIds[i]! <= p.userIds[i - 1]!) throw Errors.modelFormat(p.id, 'userIds must be strictly ascending');
  }
}

/** Serialises a model; the caller writes it (see writeArtifact). */
export function encodeArtifact(p: ModelParts): Buffer {
  sortedUsers(p);
  const nUsers = p.userIds.length;
  const nItems = p.itemIds.length;
  const k = p.factors;
  const checks: [string, number, number][] = [
    ['userFactors', p.userFactors.length, nUsers * k],
    ['userBias', p.userBias.length, nUsers],
    ['itemFactors', p.itemFactors.length, nItems * k],
    ['itemBias', p.itemBias.length, nItems],
    ['itemFlags', p.itemFlags.length, nItems],
    ['popularity', p.popularity.length, nItems],
  ];
  for (const [name, got, want] of checks)
    if (got !== want) throw Errors.modelFormat(p.id, `${name} has ${got} entries, expected ${want}`);
  const blobs: [SectionName, Uint8Array][] = [
    ['userIds', new Uint8Array(p.userIds.buffer, p.userIds.byteOffset, p.userIds.byteLength)],
    ['userFactors', new Uint8Array(p.userFactors.buffer, p.userFactors.byteOffset, p.userFactors.byteLength)],
    ['userBias', new Uint8Array(p.userBias.buffer, p.userBias.byteOffset, p.userBias.byteLength)],
    ['itemFactors', new Uint8Array(p.itemFactors.buffer, p.itemFactors.byteOffset, p.itemFactors.byteLength)],
    ['itemBias', new Uint8Array(p.itemBias.buffer, p.itemBias.byteOffset, p.itemBias.byteLength)],
    ['itemFlags', p.itemFlags],
    ['popularity', new Uint8Array(p.popularity.buffer, p.popularity.byteOffset, p.popularity.byteLength)],
    ['itemIds', Buffer.from(p.itemIds.join('\n'), 'utf8')],
    ['segments', Buffer.from(JSON.stringify(p.segments), 'utf8')],
  ];
  const header: ArtifactHeader = {
    id: p.id,
    kind: p.kind,
    factors: k,
    nUsers,
    nItems,
    globalMean: p.globalMean,
    scoring: p.scoring,
    sections: {} as Record<SectionName, Section>,
  };
  // The header's length depends on the offsets it holds: reserve room for the widest offsets first.
  for (const [name, b] of blobs) header.sections[name] = { offset: Number.MAX_SAFE_INTEGER, bytes: b.byteLength };
  const reserve = Buffer.byteLength(JSON.stringify(header));
  let off = align(16 + reserve);
  for (const [name, b] of blobs) {
    header.sections[name] = { offset: off, bytes: b.byteLength };
    off = align(off + b.byteLength);
  }
  const total = off + CHECKSUM_BYTES;
  const out = Buffer.alloc(total);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(FORMAT_VERSION, 8);
  const hjson = Buffer.from(JSON.stringify(header), 'utf8');
  out.writeUInt32LE(hjson.byteLength, 12);
  hjson.copy(out, 16);
  for (const [name, b] of blobs) out.set(b, header.sections[name].offset);
  createHash('sha256')
    .update(out.subarray(0, total - CHECKSUM_BYTES))
    .digest()
    .copy(out, total - CHECKSUM_BYTES);
  return out;
}

/** Writes atomically (temp file + rename): a reader never sees half an artifact. */
export function writeArtifact(path: string, p: ModelParts | Uint8Array): number {
  // Already-encoded bytes are written as they are: a caller that inspected them need not encode twice.
  const buf = p instanceof Uint8Array ? p : encodeArtifact(p);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, buf);
  renameSync(tmp, path);
  return buf.byteLength;
}

/** The byte length of an artifact file, to size a slot before reading it. */
export function artifactSize(path: string): number {
  const fd = openSync(path, 'r');
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

/** Reads a file into `target` (e.g. a view over a SharedArrayBuffer slot); returns the bytes read. */
export function readArtifactInto(path: string, target: Uint8Array): number {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > target.byteLength)
      throw Errors.modelFormat(path, `artifact of ${size} bytes does not fit a slot of ${target.byteLength}`);
    let done = 0;
    while (done < size) {
      const n = readSync(fd, target, done, Math.min(size - done, 1 << 26), done);
      if (n === 0) break;
      done += n;
    }
    return done;
  } finally {
    closeSync(fd);
  }
}

/** Parses the header; throws MOVREC_ERR_MODEL_FORMAT for anything that is not a readable artifact. */
export function readHeader(bytes: Uint8Array, label = 'artifact'): ArtifactHeader {
  if (bytes.byteLength < 16 + CHECKSUM_BYTES) throw Errors.modelFormat(label, 'too short to be an artifact');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = Buffer.from(bytes.buffer, bytes.byteOffset, 8).toString('latin1');
  if (magic !== MAGIC) throw Errors.modelFormat(label, `bad magic "${magic.replace(/[^\x20-\x7e]/g, '?')}"`);
  const version = dv.getUint32(8, true);
  if (version !== FORMAT_VERSION)
    throw Errors.modelFormat(label, `format version ${version} is not supported (this build reads ${FORMAT_VERSION})`);
  const hlen = dv.getUint32(12, true);
  if (16 + hlen > bytes.byteLength) throw Errors.modelFormat(label, 'header runs past the end');
  let header: ArtifactHeader;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 16, hlen).toString('utf8')) as ArtifactHeader;
  } catch {
    throw Errors.modelFormat(label, 'header is not valid JSON');
  }
  for (const s of Object.values(header.sections ?? {})) {
    if (s.offset % ALIGN !== 0 || s.offset + s.bytes > bytes.byteLength - CHECKSUM_BYTES)
      throw Errors.modelFormat(label, 'a section lies outside the file');
  }
  return header;
}

/** True when the trailing sha256 matches the content. */
export function checksumOk(bytes: Uint8Array): boolean {
  if (bytes.byteLength < CHECKSUM_BYTES) return false;
  const end = bytes.byteLength - CHECKSUM_BYTES;
  const want = Buffer.from(bytes.buffer, bytes.byteOffset + end, CHECKSUM_BYTES);
  const got = createHash('sha256')
    .update(new Uint8Array(bytes.buffer, bytes.byteOffset, end))
    .digest();
  return got.equals(want);
}

/** A writable copy of an artifact's parts under a new id: the start of a model derived from another. */
export function copyParts(view: ModelView, id: string): ModelParts {
  return {
    id,
    kind: view.kind,
    factors: view.factors,
    globalMean: view.globalMean,
    scoring: view.scoring,
    userIds: Uint32Array.from(view.userIds),
    userFactors: Float32Array.from(view.userFactors),
    userBias: Float32Array.from(view.userBias),
    itemIds: [...view.itemIds],
    itemFactors: Float32Array.from(view.itemFactors),
    itemBias: Float32Array.from(view.itemBias),
    itemFlags: Uint8Array.from(view.itemFlags),
    popularity: Float32Array.from(view.popularity),
    segments: view.segments,
  };
}

/**
 * Views over artifact bytes (a Buffer from a file, or a Uint8Array over a
 * SharedArrayBuffer slot). `bytes` must start on a 64-byte boundary of its
 * buffer for the typed views; `verify` checks the sha256 first.
 */
export function viewArtifact(
  bytes: Uint8Array,
  opts: { verify: boolean; label?: string } = { verify: true },
): ModelView {
  const label = opts.label ?? 'artifact';
  const header = readHeader(bytes, label);
  if (opts.verify && !checksumOk(bytes)) throw Errors.modelChecksum(header.id ?? label);
  const s = header.sections;
  const base = bytes.byteOffset;
  const buf = bytes.buffer;
  const f32 = (x: Section) => new Float32Array(buf, base + x.offset, x.bytes / 4);
  const text = (x: Section) => Buffer.from(buf, base + x.offset, x.bytes).toString('utf8');
  const userIds = new Uint32Array(buf, base + s.userIds.offset, s.userIds.bytes / 4);
  const itemIdText = text(s.itemIds);
  const view: ModelView = {
    header,
    id: header.id,
    kind: header.kind,
    factors: header.factors,
    globalMean: header.globalMean,
    scoring: header.scoring,
    userIds,
    userFactors: f32(s.userFactors),
    userBias: f32(s.userBias),
    itemFactors: f32(s.itemFactors),
    itemBias: f32(s.itemBias),
    itemFlags: new Uint8Array(buf, base + s.itemFlags.offset, s.itemFlags.bytes),
    popularity: f32(s.popularity),
    itemIds: itemIdText === '' ? [] : itemIdText.split('\n'),
    itemIdBytes: new Uint8Array(buf, base + s.itemIds.offset, s.itemIds.bytes),
    segments: JSON.parse(text(s.segments)) as Record<string, number[]>,
    userIndex(userId: number): number {
      const n = userIds.length;
      if (n === 0 || !(userId >= userIds[0]! && userId <= userIds[n - 1]!)) return -1;
      // Ids are strictly ascending integers, so id x sits no further than x - first from the start
      // and last - x from the end: dense ids (1..n) are found at once, gaps only widen the search.
      let lo = Math.max(0, n - 1 - (userIds[n - 1]! - userId));
      let hi = Math.min(n - 1, userId - userIds[0]!);
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const v = userIds[mid]!;
        if (v === userId) return mid;
        if (v < userId) lo = mid + 1;
        else hi = mid - 1;
      }
      return -1;
    },
  };
  if (view.itemIds.length !== header.nItems)
    throw Errors.modelFormat(label, `itemIds holds ${view.itemIds.length} ids, header says ${header.nItems}`);
  return view;
}
