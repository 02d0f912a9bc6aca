// The one boundary to native code: loads native/build/movrec.node when it was
// built (and MOVREC_NATIVE is not 0), and exports each kernel so that callers
// get the native version when available and the TypeScript twin otherwise.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { topK as topKTwin } from './twins/topk';

interface Addon {
  simd: string;
  topK: typeof topKTwin;
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

/** Top-K over item factors with exclusions and the adult mask applied inside the kernel; see native/twins/topk.ts. */
export const topK: typeof topKTwin = loaded.addon?.topK ?? topKTwin;
/** The addon's kernel, for agreement tests and benchmarks; null when absent. */
export const topKNative: typeof topKTwin | null = loaded.addon?.topK ?? null;
export { topKTwin };
