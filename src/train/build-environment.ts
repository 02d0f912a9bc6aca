// What besides data and settings can change an artifact's bytes: the kernels
// (native SIMD or the TypeScript twins round differently), Node's V8 (Math
// functions used for initialisation) and the CPU the native code was built for.
import { cpus } from 'node:os';
import { nativeStatus } from '../model/kernels';

export interface BuildEnvironment {
  kernel: string;
  node: string;
  arch: string;
  cpu: string;
}

export function buildEnvironment(): BuildEnvironment {
  return { kernel: nativeStatus, node: process.version, arch: process.arch, cpu: cpus()[0]?.model ?? 'unknown' };
}

/** Each way `now` differs from the environment a model was built in, as readable lines. */
export function environmentDifferences(
  recorded: Partial<BuildEnvironment> | undefined,
  now: BuildEnvironment,
): string[] {
  if (!recorded) return ['the manifest records no build environment'];
  const out: string[] = [];
  for (const k of ['kernel', 'node', 'arch', 'cpu'] as const)
    if (recorded[k] !== now[k]) out.push(`${k} was ${recorded[k] ?? '?'}, is ${now[k]}`);
  return out;
}
