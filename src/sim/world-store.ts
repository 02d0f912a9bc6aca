// Saving and reloading a world (--world DIR): raw typed arrays plus a JSON header, so ground truth outlives the
// generator's code.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { World, WorldParams } from './world';

const FORMAT = 1;

type ArrayKey = {
  [K in keyof World]: World[K] extends Uint8Array | Uint16Array | Uint32Array | Float32Array ? K : never;
}[keyof World];

const ARRAYS: readonly { key: ArrayKey; make: (b: ArrayBuffer) => World[ArrayKey] }[] = [
  { key: 'userAge', make: (b) => new Uint8Array(b) },
  { key: 'userGender', make: (b) => new Uint8Array(b) },
  { key: 'userOcc', make: (b) => new Uint8Array(b) },
  { key: 'userBias', make: (b) => new Float32Array(b) },
  { key: 'userFactors', make: (b) => new Float32Array(b) },
  { key: 'userActivity', make: (b) => new Float32Array(b) },
  { key: 'movieYear', make: (b) => new Uint16Array(b) },
  { key: 'movieDay', make: (b) => new Uint16Array(b) },
  { key: 'movieGenres', make: (b) => new Uint32Array(b) },
  { key: 'movieAdult', make: (b) => new Uint8Array(b) },
  { key: 'movieRuntime', make: (b) => new Uint16Array(b) },
  { key: 'moviePopularity', make: (b) => new Float32Array(b) },
  { key: 'movieLanguage', make: (b) => new Uint8Array(b) },
  { key: 'movieBias', make: (b) => new Float32Array(b) },
  { key: 'movieFactors', make: (b) => new Float32Array(b) },
  { key: 'genreFactors', make: (b) => new Float32Array(b) },
];

export function worldExists(dir: string): boolean {
  return existsSync(join(dir, 'world.json'));
}

export function saveWorld(world: World, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const { key } of ARRAYS) {
    const a = world[key];
    writeFileSync(join(dir, `${key}.bin`), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  // The header goes last: a world.json means the arrays beside it are complete.
  writeFileSync(
    join(dir, 'world.json'),
    JSON.stringify({ format: FORMAT, params: world.params, movieIds: world.movieIds, movieTitles: world.movieTitles }),
  );
}

export function loadWorld(dir: string): World {
  const head = JSON.parse(readFileSync(join(dir, 'world.json'), 'utf8')) as {
    format: number;
    params: WorldParams;
    movieIds: string[];
    movieTitles: string[];
  };
  if (head.format !== FORMAT) throw new Error(`world in ${dir} has format ${head.format}, this build reads ${FORMAT}`);
  const world = {
    params: head.params,
    movieIds: head.movieIds,
    movieTitles: head.movieTitles,
    movieIndex: new Map<string, number>(),
  } as Partial<World>;
  for (const { key, make } of ARRAYS) {
    const buf = readFileSync(join(dir, `${key}.bin`));
    const copy = new ArrayBuffer(buf.byteLength);
    new Uint8Array(copy).set(buf);
    (world as Record<string, unknown>)[key] = make(copy);
  }
  head.movieIds.forEach((id, i) => {
    world.movieIndex!.set(id, i);
  });
  const w = world as World;
  if (w.userAge.length !== w.params.users || w.movieFactors.length !== w.params.movies * w.params.factors) {
    throw new Error(`world in ${dir} is incomplete: array sizes do not match its header`);
  }
  return w;
}
