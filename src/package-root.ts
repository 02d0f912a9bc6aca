// The package root, found by walking up from this file: the same from src/
// (ts) and dist/src/, for locating compiled worker entry files.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Errors } from './errors';

export function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw Errors.config(`cannot find the package root above ${__dirname}`);
    dir = up;
  }
  return dir;
}
