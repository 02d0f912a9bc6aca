// A file (replayed, or followed as it grows) or stdin as a source of lines;
// a line's position is its 0-based line number.
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Source, SourceBatch } from './source';

export interface FileSourceOptions {
  /** A path, or `-` for stdin. */
  path: string;
  /** Keep reading as the file grows (not for stdin). */
  follow?: boolean;
  /** Lines per batch handed to the loop, at most. */
  batchLines: number;
  /** How often a followed file is polled for growth. */
  pollMs?: number;
}

const CHUNK = 1 << 20;

/** Splits byte chunks into lines, holding back a partial last line until its newline arrives. */
class LineSplitter {
  private rest = '';
  private readonly decoder = new TextDecoder('utf-8');

  push(chunk: Uint8Array, out: string[]): void {
    const text = this.rest + this.decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      out.push(text.slice(start, nl));
      start = nl + 1;
    }
    this.rest = text.slice(start);
  }

  /** The unterminated last line at end of input, if any. */
  end(out: string[]): void {
    if (this.rest.length > 0) out.push(this.rest);
    this.rest = '';
  }
}

export function fileSource(opts: FileSourceOptions): Source {
  const stdin = opts.path === '-';
  const stream = stdin ? null : `file:${resolve(opts.path)}`;
  let stopped = false;
  let wake: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const timer = setTimeout(() => ((wake = null), r()), ms);
      wake = () => (clearTimeout(timer), (wake = null), r());
    });

  return {
    name: stdin ? 'stdin' : `file ${opts.path}${opts.follow ? ' (follow)' : ''}`,
    async run(push, ready) {
      let position = 0;
      const pending: string[] = [];
      const flush = async () => {
        while (pending.length > 0) {
          const lines = pending.length > opts.batchLines ? pending.splice(0, opts.batchLines) : pending.splice(0);
          const batch: SourceBatch = { stream, lines, positions: lines.map((_, i) => position + i) };
          position += lines.length;
          await push(batch);
        }
      };
      const split = new LineSplitter();
      if (stdin) {
        ready();
        for await (const chunk of process.stdin) {
          if (stopped) break;
          split.push(chunk as Buffer, pending);
          if (pending.length >= opts.batchLines) await flush();
        }
        if (!stopped) {
          split.end(pending);
          await flush();
        }
        return;
      }
      const fh = await open(opts.path, 'r');
      ready();
      try {
        const buf = Buffer.allocUnsafe(CHUNK);
        let at = 0;
        while (!stopped) {
          const { bytesRead } = await fh.read(buf, 0, CHUNK, at);
          if (bytesRead > 0) {
            at += bytesRead;
            split.push(buf.subarray(0, bytesRead), pending);
            if (pending.length >= opts.batchLines) await flush();
            continue;
          }
          // At the end for now: hand over what is complete, then wait for growth or stop.
          if (!opts.follow) break;
          await flush();
          await sleep(opts.pollMs ?? 200);
        }
        if (!stopped) {
          split.end(pending);
          await flush();
        }
      } finally {
        await fh.close();
      }
    },
    async commit() {
      // The position lives in the store's transaction; a file has nothing else to commit.
    },
    async stop() {
      stopped = true;
      wake?.();
      if (stdin) process.stdin.destroy();
    },
  };
}
