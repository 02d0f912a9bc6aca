// The code version that manifests and provenance records carry.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function packageVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      return (JSON.parse(readFileSync(join(__dirname, rel), 'utf8')) as { version: string }).version;
    } catch {
      // not at this depth: the compiled tree sits one level deeper than the sources
    }
  }
  return '0.0.0';
}

export const VERSION = packageVersion();

let commit: string | undefined;

/** The git commit of the running code, or `$MOVREC_COMMIT`, or `unknown` outside a checkout. */
export function codeCommit(): string {
  if (commit !== undefined) return commit;
  commit = process.env.MOVREC_COMMIT ?? 'unknown';
  if (commit === 'unknown') {
    try {
      commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
        cwd: __dirname,
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .toString()
        .trim();
    } catch {
      commit = 'unknown';
    }
  }
  return commit;
}
