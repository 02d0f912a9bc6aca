// Spurious lines as real streams have them: truncated, unknown movie, out-of-range rating, bad timestamp, duplicate,
// out of order.
import { Rng } from './rng';

export const SPURIOUS_KINDS = [
  'truncated',
  'unknown-movie',
  'bad-rating',
  'bad-timestamp',
  'duplicate',
  'out-of-order',
] as const;
export type SpuriousKind = (typeof SPURIOUS_KINDS)[number];

const BAD_TIMES = ['2022-13-45T25:61:00', 'yesterday', '1644343616', '2022/02/08 18:06:56', '2022-02-08 18:06'];

/** Passes genuine lines through and, at the given rate per line, adds one spurious event. */
export class SpuriousInjector {
  readonly counts: Record<SpuriousKind, number> = {
    truncated: 0,
    'unknown-movie': 0,
    'bad-rating': 0,
    'bad-timestamp': 0,
    duplicate: 0,
    'out-of-order': 0,
  };
  private readonly rng: Rng;
  private held: string | null = null;

  constructor(
    seed: number,
    private readonly rate: number,
    private readonly ratingMax: number,
  ) {
    this.rng = new Rng(seed, 13);
  }

  /** Appends `line` (and maybe a spurious companion) to `out`. */
  apply(line: string, out: string[]): void {
    const held = this.held;
    if (this.rng.next() >= this.rate) {
      out.push(line);
      if (held !== null) {
        out.push(held);
        this.held = null;
      }
      return;
    }
    const kind = SPURIOUS_KINDS[this.rng.int(SPURIOUS_KINDS.length)]!;
    if (kind === 'out-of-order' && held !== null) {
      out.push(line, held);
      this.held = null;
      return;
    }
    this.counts[kind]++;
    const c1 = line.indexOf(',');
    const c2 = line.indexOf(',', c1 + 1);
    const ts = line.slice(0, c1);
    const user = line.slice(c1 + 1, c2);
    const movie = /\/(?:data\/m|rate)\/([^/=]+)/.exec(line)?.[1] ?? 'the+lives+of+others+2006';
    switch (kind) {
      case 'truncated':
        out.push(line, line.slice(0, c2 + 1 + this.rng.int(Math.max(1, line.length - c2 - 6))));
        break;
      case 'unknown-movie':
        out.push(
          line,
          `${ts},${user},GET /data/m/no+such+film+${this.rng.int(1_000_000)}+1999/${this.rng.int(90)}.mpg`,
        );
        break;
      case 'bad-rating': {
        const bad = [0, this.ratingMax + 1, -1, 99][this.rng.int(4)]!;
        out.push(line, `${ts},${user},GET /rate/${movie}=${bad}`);
        break;
      }
      case 'bad-timestamp':
        out.push(line, `${BAD_TIMES[this.rng.int(BAD_TIMES.length)]!}${line.slice(c1)}`);
        break;
      case 'duplicate':
        out.push(line, line);
        break;
      case 'out-of-order':
        // Held back and written after the next line: its time is then older than the line before it.
        this.held = line;
        break;
    }
    if (held !== null && this.held !== line) {
      out.push(held);
      this.held = null;
    }
  }

  /** Writes a line still held back. */
  flush(out: string[]): void {
    if (this.held !== null) out.push(this.held);
    this.held = null;
  }
}
