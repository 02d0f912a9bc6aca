// The stream's own clock. Event lag is how far the store is behind the newest
// event time read from the source (0 when caught up), whatever the wall clock
// says: a simulated stream dated 2022 is not four years late. How far the
// stream's clock is from the wall clock is a gauge of its own.
import { Gauge, register } from 'prom-client';
import { eventLag } from './metrics';
import { parseTime } from './parse-line';

export const CLOCK_OFFSET = 'movrec_ingest_stream_clock_offset_seconds';

const clockOffset =
  (register.getSingleMetric(CLOCK_OFFSET) as Gauge | undefined) ??
  new Gauge({
    name: CLOCK_OFFSET,
    help:
      "Wall clock minus the newest event time read from the stream: a live stream's delay, or a simulated " +
      "stream's distance from now",
  });

/** The event time at the start of a line, or NaN. */
function lineTime(line: string): number {
  const comma = line.indexOf(',');
  return comma < 0 ? Number.NaN : parseTime(line, 0, comma);
}

export interface EventClock {
  /** A batch read from the source: its newest time (sampled from its last lines) moves the stream's clock. */
  read(lines: readonly string[]): void;
  /** A transaction committed with events up to `maxTime`: sets the lag and the offset. */
  applied(maxTime: number): void;
}

export function eventClock(): EventClock {
  let newestRead = Number.NEGATIVE_INFINITY;
  let newestApplied = Number.NEGATIVE_INFINITY;
  const update = () => {
    if (newestApplied === Number.NEGATIVE_INFINITY) return;
    const newest = Math.max(newestRead, newestApplied);
    eventLag.set(Math.max(0, (newest - newestApplied) / 1000));
    clockOffset.set((Date.now() - newest) / 1000);
  };
  return {
    read(lines) {
      // Lines come nearly in time order: the last few carry the newest time; a malformed last line is passed over.
      for (let i = lines.length - 1; i >= 0 && i >= lines.length - 8; i--) {
        const t = lineTime(lines[i]!);
        if (t > newestRead) newestRead = t;
      }
      update();
    },
    applied(maxTime) {
      if (maxTime > newestApplied) newestApplied = maxTime;
      update();
    },
  };
}
