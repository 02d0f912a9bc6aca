// The live scoreboard while driving: requests, success rate, latency percentiles, and lists watched from beside the
// oracle.
import type { Outcome } from './lines';

export interface Scoreboard {
  /** Requests answered or failed so far. */
  requests: number;
  ok: number;
  timeouts: number;
  refused: number;
  /** Other failures: HTTP statuses other than 200, connection resets. */
  errors: number;
  /** ok / requests (0 when none). */
  successRate: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Answers with at least one item, and those the user then watched from. */
  lists: number;
  listsWatchedFrom: number;
  watchShare: number;
  /** On a sample of lists: the choice model's chance of a watch for the list served, and for the oracle's top-20. */
  sampledLists: number;
  expectedShare: number;
  oracleExpectedShare: number;
  lines: number;
  elapsedMs: number;
  /** Simulated time of the newest line (ISO). */
  simTime: string;
  linesPerSecond: number;
  requestsPerSecond: number;
  /** The same figures over the last interval only (since the previous snapshot): what a live display shows. */
  interval: { ms: number; requests: number; ok: number; requestsPerSecond: number; successRate: number; p99Ms: number };
}

const BUCKETS = 10_001;

/** Accumulates the figures; latencies in 1 ms buckets so long runs cost no memory. */
export class ScoreKeeper {
  private readonly hist = new Uint32Array(BUCKETS);
  private requests = 0;
  private ok = 0;
  private timeouts = 0;
  private refused = 0;
  private errors = 0;
  private max = 0;
  private sampled = 0;
  private expected = 0;
  private oracle = 0;
  private readonly t0 = performance.now();
  // The interval since the last snapshot: its own histogram, so its p99 is not diluted by the whole run.
  private readonly recent = new Uint32Array(BUCKETS);
  private recentRequests = 0;
  private recentOk = 0;
  private lastSnapshotAt = this.t0;

  record(o: Outcome): void {
    this.requests++;
    if (o.kind === 'ok') this.ok++;
    else if (o.kind === 'timeout') this.timeouts++;
    else if (o.kind === 'refused') this.refused++;
    else this.errors++;
    const ms = Math.max(0, Math.round(o.ms));
    this.hist[Math.min(BUCKETS - 1, ms)]!++;
    this.recent[Math.min(BUCKETS - 1, ms)]!++;
    this.recentRequests++;
    if (o.kind === 'ok') this.recentOk++;
    if (o.ms > this.max) this.max = o.ms;
  }

  sample(expected: number, oracle: number): void {
    this.sampled++;
    this.expected += expected;
    this.oracle += oracle;
  }

  private percentile(q: number, hist = this.hist, n = this.requests): number {
    if (n === 0) return 0;
    const want = Math.ceil(q * n);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += hist[i]!;
      if (seen >= want) return i;
    }
    return BUCKETS - 1;
  }

  snapshot(counts: { lists: number; listsWatchedFrom: number }, lines: number, simMs: number): Scoreboard {
    const elapsedMs = performance.now() - this.t0;
    const secs = Math.max(elapsedMs / 1000, 1e-9);
    const now = this.t0 + elapsedMs;
    const intervalMs = now - this.lastSnapshotAt;
    const interval = {
      ms: Math.round(intervalMs),
      requests: this.recentRequests,
      ok: this.recentOk,
      requestsPerSecond: this.recentRequests / Math.max(intervalMs / 1000, 1e-9),
      successRate: this.recentRequests === 0 ? 0 : this.recentOk / this.recentRequests,
      p99Ms: this.percentile(0.99, this.recent, this.recentRequests),
    };
    this.recent.fill(0);
    this.recentRequests = 0;
    this.recentOk = 0;
    this.lastSnapshotAt = now;
    return {
      interval,
      requests: this.requests,
      ok: this.ok,
      timeouts: this.timeouts,
      refused: this.refused,
      errors: this.errors,
      successRate: this.requests === 0 ? 0 : this.ok / this.requests,
      latencyMs: {
        p50: this.percentile(0.5),
        p95: this.percentile(0.95),
        p99: this.percentile(0.99),
        max: Math.round(this.max),
      },
      lists: counts.lists,
      listsWatchedFrom: counts.listsWatchedFrom,
      watchShare: counts.lists === 0 ? 0 : counts.listsWatchedFrom / counts.lists,
      sampledLists: this.sampled,
      expectedShare: this.sampled === 0 ? 0 : this.expected / this.sampled,
      oracleExpectedShare: this.sampled === 0 ? 0 : this.oracle / this.sampled,
      lines,
      elapsedMs: Math.round(elapsedMs),
      simTime: new Date(simMs).toISOString(),
      linesPerSecond: lines / secs,
      requestsPerSecond: this.requests / secs,
    };
  }
}

/** One human-readable line of the scoreboard. */
export function formatScoreboard(s: Scoreboard): string {
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  return (
    `sim ${s.simTime.slice(0, 19)} lines ${s.lines} (${s.linesPerSecond.toFixed(0)}/s) requests ${s.requests} ` +
    `ok ${pct(s.successRate)} timeouts ${s.timeouts} refused ${s.refused} errors ${s.errors} ` +
    `latency p50 ${s.latencyMs.p50} p95 ${s.latencyMs.p95} p99 ${s.latencyMs.p99} ms ` +
    `watched from list ${pct(s.watchShare)} of ${s.lists} (expected ${pct(s.expectedShare)}, oracle ` +
    `${pct(s.oracleExpectedShare)})`
  );
}
