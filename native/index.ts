// The one boundary to native code: loads native/build/movrec.node when it was
// built (and MOVREC_NATIVE is not 0), and exports each kernel so that callers
// get the native version when available and the TypeScript twin otherwise.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { topK as topKTwin, topKBatch as topKBatchTwin } from './twins/topk';
export { BLOCK, packBlocks, packItems, packedLength } from './twins/topk';
import { sgdEpochTs, sgdEpochsTs, type SgdEpochsArgs } from './twins/train-sgd';
import { alsHalfTs, gramTs, type AlsHalfArgs } from './twins/train-als';
import { lineLengthsTs, writeLinesTs } from './twins/lines';
import { pairDotsTs, ridgeRowsTs, type RidgeRowsArgs } from './twins/ridge-rows';

/**
 * Everything the addon exports, typed once: the one interface to native code. Each kernel is optional,
 * so an addon built before a kernel existed still loads and that kernel falls back to its twin alone.
 */
interface Addon {
  simd: string;
  topK?: typeof topKTwin;
  topKBatch?: typeof topKBatchTwin;
  /** Present when built with AMX or AVX-512 VNNI: switches the int8 path on or off, and says whether it is in use. */
  useInt8?: (on?: boolean) => boolean;
  sgdEpochs?(
    user: Uint32Array,
    item: Uint32Array,
    value: Float32Array,
    order: Uint32Array,
    p: Float32Array,
    q: Float32Array,
    bu: Float32Array,
    bi: Float32Array,
    k: number,
    mu: number,
    lr: number,
    reg: number,
    biasLr: number,
    biasReg: number,
    epochs: number,
    lrDecay: number,
    sse: Float64Array,
  ): void;
  alsHalf?(
    indptr: Uint32Array,
    indices: Uint32Array,
    cm: Float32Array,
    x: Float32Array,
    y: Float32Array,
    yty: Float32Array,
    k: number,
    reg: number,
    cgSteps: number,
  ): void;
  gram?: typeof gramTs;
  ridgeRows?(
    indptr: Uint32Array,
    indices: Uint32Array,
    target: Float32Array,
    weight: Float32Array,
    y: Float32Array,
    prior: Float32Array | null,
    x: Float32Array,
    k: number,
    reg: number,
  ): void;
  pairDots?: typeof pairDotsTs;
  lineLengths?: typeof lineLengthsTs;
  writeLines?: typeof writeLinesTs;
}

/** The package root: found by walking up, so it works from native/ (ts) and dist/native/ (js). */
function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return __dirname;
    dir = up;
  }
  return dir;
}

function load(): { addon: Addon | null; why: string } {
  if (process.env.MOVREC_NATIVE === '0') return { addon: null, why: 'disabled by MOVREC_NATIVE=0' };
  const file = process.env.MOVREC_NATIVE_ADDON ?? join(packageRoot(), 'native', 'build', 'movrec.node');
  if (!existsSync(file)) return { addon: null, why: `${file} not built (run node native/build.js)` };
  try {
    const mod = { exports: {} as Addon };
    process.dlopen(mod, file);
    return { addon: mod.exports, why: 'loaded' };
  } catch (e) {
    return { addon: null, why: `${file} failed to load: ${(e as Error).message}` };
  }
}

const loaded = load();

export const nativeAvailable: boolean = loaded.addon !== null;
/** Why the addon is or is not in use, for logs and benchmarks. */
export const nativeStatus: string = loaded.addon ? `native (${loaded.addon.simd})` : `typescript twins: ${loaded.why}`;

/**
 * Top-K over packed item factors (packItems) with exclusions and the adult mask applied inside the kernel; see
 * native/twins/topk.ts.
 */
export const topK: typeof topKTwin = loaded.addon?.topK ?? topKTwin;
/** The addon's kernel, for agreement tests and benchmarks; null when absent. */
export const topKNative: typeof topKTwin | null = loaded.addon?.topK ?? null;
export { topKTwin };
/** Top-K for many users in one pass over the item matrix (row b = topK for user b alone); see native/twins/topk.ts. */
export const topKBatch: typeof topKBatchTwin = loaded.addon?.topKBatch ?? topKBatchTwin;
export const topKBatchNative: typeof topKBatchTwin | null = loaded.addon?.topKBatch ?? null;
export { topKBatchTwin };
/**
 * Whether the top-K kernels run the int8 path: estimates from int8 dot products
 * (on the AMX tile unit, or with AVX-512 VNNI), then an exact rescoring of the
 * candidates. True when built for it, (for AMX) granted by Linux, and switched
 * on; with an argument, switches it for this process first. Off, they run the
 * plain AVX-512 scan. Same answers either way.
 */
export function useInt8(on?: boolean): boolean {
  return loaded.addon?.useInt8?.(on) ?? false;
}

/** Which int8 backend the addon was built with ('amx' or 'vnni'), or 'none'. */
export const int8Backend: 'amx' | 'vnni' | 'none' = /amx/.test(loaded.addon?.simd ?? '')
  ? 'amx'
  : /vnni/.test(loaded.addon?.simd ?? '')
    ? 'vnni'
    : 'none';

/** The int8 backend in use now ('amx' or 'vnni'), or 'off': what logs and metrics report. */
export function int8Path(): 'amx' | 'vnni' | 'off' {
  return int8Backend !== 'none' && useInt8() ? int8Backend : 'off';
}

// Training kernels.
const train = loaded.addon;
const nativeSgd = train?.sgdEpochs;
const nativeAls = train?.alsHalf;
/** Epochs of biased-MF SGD, native when built; see native/twins/train-sgd.ts. */
export const sgdEpochsNative: ((a: SgdEpochsArgs) => Float64Array) | null = nativeSgd
  ? (a) => {
      const sse = new Float64Array(a.epochs);
      nativeSgd(
        a.user,
        a.item,
        a.value,
        a.order,
        a.userFactors,
        a.itemFactors,
        a.userBias,
        a.itemBias,
        a.k,
        a.globalMean,
        a.lr,
        a.reg,
        a.biasLr ?? a.lr,
        a.biasReg ?? a.reg,
        a.epochs,
        a.lrDecay,
        sse,
      );
      return sse;
    }
  : null;
export const sgdEpochs: (a: SgdEpochsArgs) => Float64Array = sgdEpochsNative ?? sgdEpochsTs;
/** One implicit-ALS half-step, native when built; see native/twins/train-als.ts. */
export const alsHalfNative: ((a: AlsHalfArgs) => void) | null = nativeAls
  ? (a) => nativeAls(a.indptr, a.indices, a.confMinusOne, a.x, a.y, a.yty, a.k, a.reg, a.cgSteps)
  : null;
export const alsHalf: (a: AlsHalfArgs) => void = alsHalfNative ?? alsHalfTs;
export const gramNative: typeof gramTs | null = train?.gram ?? null;
export const gram: typeof gramTs = gramNative ?? gramTs;
/** Weighted ridge regressions, one per row, on fixed factors; see native/twins/ridge-rows.ts. */
const nativeRidge = train?.ridgeRows;
export const ridgeRowsNative: ((a: RidgeRowsArgs) => void) | null = nativeRidge
  ? (a) => nativeRidge(a.indptr, a.indices, a.target, a.weight, a.y, a.prior, a.x, a.k, a.reg)
  : null;
export const ridgeRows: (a: RidgeRowsArgs) => void = ridgeRowsNative ?? ridgeRowsTs;
/** Dot products of (user, item) pairs; see native/twins/ridge-rows.ts. */
export const pairDotsNative: typeof pairDotsTs | null = train?.pairDots ?? null;
export const pairDots: typeof pairDotsTs = pairDotsNative ?? pairDotsTs;
export { sgdEpochTs, sgdEpochsTs, alsHalfTs, gramTs, ridgeRowsTs, pairDotsTs };

// Answer lines as bytes (native/lines.cc).
const lines = loaded.addon;
/** out[u] = the byte length of user u's answer line; see native/twins/lines.ts. */
export const lineLengthsNative: typeof lineLengthsTs | null = lines?.lineLengths ?? null;
export const lineLengths: typeof lineLengthsTs = lineLengthsNative ?? lineLengthsTs;
/** Each user's answer line (ids comma-separated, UTF-8) written into a body; see native/twins/lines.ts. */
export const writeLinesNative: typeof writeLinesTs | null = lines?.writeLines ?? null;
export const writeLines: typeof writeLinesTs = writeLinesNative ?? writeLinesTs;
export { lineLengthsTs, writeLinesTs };
