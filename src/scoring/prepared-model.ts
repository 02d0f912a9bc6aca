// A model view made ready for answering: the id → index map, the item factors
// in the kernels' packed layout, the popularity order used to pad short lists,
// and a scratch exclusion mask. Built once per
// (slot, generation) in each thread that reads the slot.
import { FLAG_ADULT, viewArtifact, type ModelView } from '../model/artifact';
import { Errors } from '../errors';
import { packItems, packedLength, topK } from '../../native/index';
import { createIdTable, type IdTable } from './id-table';

const SCORINGS = new Set(['dot+itemBias', 'dot']);
/** Ids added to the id table per warm-up piece: about a millisecond each. */
const ID_PIECE = 8192;
/**
 * Per prepared model, what warmUpSteps builds in pieces: the id table up to a given id, and the popularity order's
 * steps.
 */
const pieces = new WeakMap<PreparedModel, { tableUpTo(end: number): void; popularSteps(): (() => void)[] }>();

/** Merges two runs sorted by `before` into one (ties cannot happen: `before` orders distinct indices totally). */
function mergeRuns(a: Int32Array, b: Int32Array, before: (x: number, y: number) => boolean): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < a.length && j < b.length) out[o++] = before(b[j]!, a[i]!) ? b[j++]! : a[i++]!;
  while (i < a.length) out[o++] = a[i++]!;
  while (j < b.length) out[o++] = b[j++]!;
  return out;
}

export interface PreparedModel {
  view: ModelView;
  readonly itemIndex: Map<string, number>;
  /**
   * The item factors packed for the top-K kernels: the copy the scorer packed
   * into shared memory when it was handed over, else packed here on first use.
   */
  readonly packed: Float32Array;
  /** Item indices by popularity, most popular first (ties: lower index). */
  readonly popular: Int32Array;
  /** Per-thread scratch: set for one query's exclusions, cleared after. */
  mask: Uint8Array;
  /**
   * Every item id's UTF-8 bytes, back to back (id i ends at idEnds[i] and
   * starts where id i - 1 ends): answer lines are written from here as bytes,
   * with no string per id or per line.
   */
  readonly idBytes: Uint8Array;
  readonly idEnds: Int32Array;
  /** The ids looked up by their bytes (a stored seen list is resolved without a string per title). */
  readonly idTable: IdTable;
}

/** Refuses an artifact this build cannot serve (MOVREC_ERR_MODEL_FORMAT). */
export function checkServable(v: ModelView, label: string): void {
  const h = v.header;
  const why = (msg: string) => Errors.modelFormat(h.id ?? label, msg);
  if (!SCORINGS.has(h.scoring)) throw why(`scoring "${String(h.scoring)}" is not supported`);
  if (!Number.isInteger(h.factors) || h.factors <= 0) throw why(`factors must be a positive integer, got ${h.factors}`);
  if (h.nItems <= 0) throw why('the artifact holds no items');
  if (v.itemFactors.length !== h.nItems * h.factors) throw why('itemFactors does not match nItems x factors');
  if (v.userFactors.length !== h.nUsers * h.factors || v.userIds.length !== h.nUsers)
    throw why('user sections do not match nUsers x factors');
  if (v.itemBias.length !== h.nItems || v.itemFlags.length !== h.nItems || v.popularity.length !== h.nItems)
    throw why('item sections do not match nItems');
  for (const list of Object.values(v.segments)) {
    if (!Array.isArray(list) || list.some((i) => !Number.isInteger(i) || i < 0 || i >= h.nItems))
      throw why('a segment list names an item outside the artifact');
  }
}

export function prepareModel(
  bytes: Uint8Array,
  opts: { verify: boolean; label: string; packed?: Float32Array },
): PreparedModel {
  const view = viewArtifact(bytes, opts);
  checkServable(view, opts.label);
  const n = view.itemIds.length;
  if (opts.packed && opts.packed.length !== packedLength(n, view.factors))
    throw Errors.modelFormat(view.header.id ?? opts.label, 'the packed item factors do not match the artifact');
  // Built on first use (tens of ms together for a large model): the main thread
  // publishing a model needs none of them unless it answers degraded, and
  // workers build them in their turn before the flip (warmUp).
  let packed = opts.packed;
  let itemIndex: Map<string, number> | undefined;
  let popular: Int32Array | undefined;
  const pop = view.popularity;
  const byPopularity = (a: number, b: number): number => pop[b]! - pop[a]! || a - b;
  /**
   * The popularity order in pieces of ID_PIECE items (a comparator sort of
   * 27,000 took 5-14 ms in one go, a stall for a worker's tasks at every
   * swap): each piece sorted on its own, then merged pairwise, a step each.
   */
  const popularSteps = (): (() => void)[] => {
    const before = (x: number, y: number) => byPopularity(x, y) < 0;
    let runs: Int32Array[] = [];
    const steps: (() => void)[] = [];
    for (let start = 0; start < n; start += ID_PIECE) {
      const end = Math.min(n, start + ID_PIECE);
      steps.push(
        () => void runs.push(Int32Array.from({ length: end - start }, (_, x) => start + x).sort(byPopularity)),
      );
    }
    // Each level merges its runs pairwise (an odd last one passes through) into the next level's.
    for (let count = Math.ceil(n / ID_PIECE); count > 1; count = Math.ceil(count / 2)) {
      const next: Int32Array[] = [];
      for (let r = 0; r < count; r += 2)
        steps.push(() => {
          next.push(r + 1 < count ? mergeRuns(runs[r]!, runs[r + 1]!, before) : runs[r]!);
          if (next.length === Math.ceil(count / 2)) runs = next;
        });
    }
    steps.push(() => {
      popular ??= runs[0] ?? new Int32Array(0);
    });
    return steps;
  };
  let ids: { bytes: Uint8Array; ends: Int32Array } | undefined;
  const idTable = () => {
    if (!ids) {
      // From the stored text (ids joined by '\n'), one pass over its bytes: no string per id.
      const text = view.itemIdBytes;
      const ends = new Int32Array(n);
      const bytes = new Uint8Array(Math.max(0, text.length - Math.max(0, n - 1)));
      let at = 0;
      let id = 0;
      for (let b = 0; b < text.length; b++) {
        const c = text[b]!;
        if (c === 0x0a) ends[id++] = at;
        else bytes[at++] = c;
      }
      if (n > 0) ends[n - 1] = at;
      ids = { bytes, ends };
    }
    return ids;
  };
  let table: ReturnType<typeof createIdTable> | undefined;
  const byteTable = () => (table ??= createIdTable(idTable().bytes, idTable().ends));
  const m: PreparedModel = {
    view,
    get itemIndex() {
      if (!itemIndex) {
        // The view's ids are slices of the one text of all ids: as map keys, every lookup would
        // compare against bytes far apart in that 400 KiB string. A JSON round trip gives each key its own.
        const keys = JSON.parse(JSON.stringify(view.itemIds)) as string[];
        itemIndex = new Map(keys.map((key, i) => [key, i]));
      }
      return itemIndex;
    },
    get packed() {
      packed ??= packItems(view.itemFactors, n, view.factors);
      return packed;
    },
    get popular() {
      popular ??= Int32Array.from({ length: n }, (_, i) => i).sort(byPopularity);
      return popular;
    },
    mask: new Uint8Array(n),
    get idBytes() {
      return idTable().bytes;
    },
    get idEnds() {
      return idTable().ends;
    },
    get idTable() {
      return byteTable();
    },
  };
  pieces.set(m, { tableUpTo: (end) => byteTable().buildUpTo(end), popularSteps });
  return m;
}

/**
 * What prepareModel leaves for first use and a scoring worker needs, one piece
 * (a few ms at most for a 27,000-item model) per step. Not the id map: workers
 * resolve seen lists through the id table, and build the map (about 10 ms)
 * only for a list that is not stored as expected.
 */
function warmUpSteps(m: PreparedModel): (() => void)[] {
  const n = m.view.itemIds.length;
  const { tableUpTo, popularSteps } = pieces.get(m)!;
  const table: (() => void)[] = [];
  for (let end = ID_PIECE; end < n; end += ID_PIECE) table.push(() => tableUpTo(end));
  return [
    ...popularSteps(),
    () => void m.idBytes,
    ...table,
    () => tableUpTo(n),
    // One query for nobody: the native kernel builds its per-matrix int8 copy (AMX or VNNI) on first use.
    // Not a zero vector: every score would tie, and the int8 path would rescore every item.
    () =>
      void topK(
        m.packed,
        null,
        new Float32Array(m.view.factors).fill(1),
        m.mask,
        m.view.itemFlags,
        false,
        1,
        m.view.itemFactors,
      ),
  ];
}

/** Builds everything prepareModel leaves for first use, so no answer pays for it. */
export function warmUp(m: PreparedModel): void {
  for (const step of warmUpSteps(m)) step();
}

/**
 * The same, yielding to the event loop between pieces: a scoring worker
 * preparing the next model answers the tasks that arrive meanwhile, instead
 * of holding them for the whole preparation (tens of ms).
 */
export async function warmUpYielding(m: PreparedModel): Promise<void> {
  for (const step of warmUpSteps(m)) {
    step();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

export function isAdult(m: PreparedModel, item: number): boolean {
  return (m.view.itemFlags[item]! & FLAG_ADULT) !== 0;
}
