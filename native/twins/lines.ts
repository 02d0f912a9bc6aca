// Answer lines as bytes: the TypeScript twin of native/lines.cc, and the
// reference the native version is tested against.
//
// A model's item ids are kept as one run of UTF-8 bytes (`idBytes`, id i ends
// at idEnds[i] and starts where id i - 1 ends). A batch's answers come as
// `items` (every user's item indices, back to back) and `counts` (how many are
// user u's); user u's line is its ids, comma-separated.

/** Why a batch of lines was refused: the same words natively and here. */
function refuse(message: string): never {
  throw new RangeError(message);
}

/** Where id i's bytes start and end, checked against the id table. */
function idSpan(idBytes: number, idEnds: Int32Array, i: number): [number, number] {
  if (!Number.isInteger(i) || i < 0 || i >= idEnds.length)
    refuse(`lines: item ${i} is not an index into ${idEnds.length} ids`);
  const start = i > 0 ? idEnds[i - 1]! : 0;
  const end = idEnds[i]!;
  if (start < 0 || end < start || end > idBytes) refuse(`lines: the id table is inconsistent at item ${i}`);
  return [start, end];
}

function checkCounts(items: Int32Array, counts: Int32Array): void {
  let total = 0;
  for (let u = 0; u < counts.length; u++) {
    if (counts[u]! < 0) refuse(`lines: user ${u} has a negative count`);
    total += counts[u]!;
  }
  if (total > items.length) refuse(`lines: the counts add up to ${total} items, more than the ${items.length} given`);
}

/** out[u] = the length in bytes of user u's line. */
export function lineLengthsTs(idEnds: Int32Array, items: Int32Array, counts: Int32Array, out: Int32Array): void {
  checkCounts(items, counts);
  if (out.length < counts.length) refuse(`lines: ${counts.length} users but room for ${out.length} lengths`);
  const idBytes = idEnds.length > 0 ? idEnds[idEnds.length - 1]! : 0;
  for (let u = 0, at = 0; u < counts.length; u++) {
    const c = counts[u]!;
    let len = c > 0 ? c - 1 : 0;
    for (let x = 0; x < c; x++) {
      const [start, end] = idSpan(idBytes, idEnds, items[at++]!);
      len += end - start;
    }
    out[u] = len;
  }
}

/** Writes user u's line into `body` from starts[u]; a line that would not fit is refused before anything is written. */
export function writeLinesTs(
  idBytes: Uint8Array,
  idEnds: Int32Array,
  items: Int32Array,
  counts: Int32Array,
  body: Uint8Array,
  starts: Int32Array,
): void {
  checkCounts(items, counts);
  if (starts.length < counts.length) refuse(`lines: ${counts.length} users but ${starts.length} starts`);
  const lens = new Int32Array(counts.length);
  lineLengthsTs(idEnds, items, counts, lens);
  for (let u = 0; u < counts.length; u++) {
    if (starts[u]! < 0 || starts[u]! + lens[u]! > body.length)
      refuse(`lines: user ${u}'s line does not fit the body at ${starts[u]}`);
  }
  for (let u = 0, at = 0; u < counts.length; u++) {
    let o = starts[u]!;
    for (let x = 0; x < counts[u]!; x++) {
      if (x > 0) body[o++] = 0x2c;
      const [start, end] = idSpan(idBytes.length, idEnds, items[at++]!);
      for (let b = start; b < end; b++) body[o++] = idBytes[b]!;
    }
  }
}
