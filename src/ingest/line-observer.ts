// What ingest offers a higher layer (the online join of telemetry/) without
// knowing it: every accepted line as parsed, in stream order, and a slot in
// each batch's write transaction for what those lines add to the store.
import type { RootDatabase } from 'lmdb';
import type { ParsedLine, RejectedLine } from './parse-line';

export type AcceptedLine = Exclude<ParsedLine, RejectedLine>;

export interface LineObserver {
  /** Called for each accepted line, in the order of the stream; must be cheap (ingest runs >= 100,000 lines/s). */
  line(p: AcceptedLine): void;
  /**
   * What the lines observed since the last call add to the store, as a
   * function run inside the batch's write transaction (so it commits, or not,
   * with the lines and their offset); null when nothing.
   */
  take(): ((root: RootDatabase) => void) | null;
}
