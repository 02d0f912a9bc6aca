// A line sink that appends to a file another part of the process follows.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { LineSink } from '../sim';

export function appendSink(path: string): LineSink {
  let fd: number | null = openSync(path, 'a');
  return {
    write(lines) {
      // One write per batch of whole lines: a follower never sees half a line at the end.
      if (lines.length > 0 && fd !== null) writeSync(fd, `${lines.join('\n')}\n`);
    },
    // The driver closes its sink when it stops; closing twice is harmless.
    async close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
