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

/**
 * A worker thread's entry file, workers/<name>.ts as compiled to
 * <package root>/dist/workers/<name>.js: threads always run compiled code,
 * whether the caller runs from src/ (tests) or dist/. `what` names it in the
 * error when it is not built.
 */
export function workerEntry(name: string, what: string): string {
  const file = join(packageRoot(), 'dist', 'workers', `${name}.js`);
  if (!existsSync(file)) throw Errors.config(`${what} ${file} is missing: build with npx tsc -p tsconfig.build.json`);
  return file;
}
