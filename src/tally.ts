// Per-request metrics as plain increments. prom-client's labelled children
// hash their label values on every inc() and observe() (a few hundred ns to
// a microsecond each, three per answer on the main thread, which also runs
// the HTTP front); these keep a child's numbers in plain fields (a counter) or a typed array (a histogram) and hand
// prom-client's registry the same JSON shape at scrape time, so /metrics, the
// merge with the workers' registries and the text format are unchanged.
import { register, type Registry } from 'prom-client';

type Labels = Record<string, string | number>;

/**
 * What prom-client's Metric.get() resolves to (its typings keep the type unexported, and say an enum where the value is
 * a string).
 */
export interface MetricJson {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: { labels: Labels; value: number; metricName?: string }[];
}

interface Registered {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  get(): Promise<MetricJson>;
  reset(): void;
}

/**
 * The metric already registered under `name` in `registry` (two servers in one process share it), or this one,
 * registered now.
 */
function adopt<T extends Registered>(metric: T, registry: Registry = register): T {
  const found = registry.getSingleMetric(metric.name) as unknown as T | undefined;
  if (found) return found;
  // The registry reads only name, help, type, aggregator, get() and reset().
  registry.registerMetric(metric as unknown as Parameters<typeof registry.registerMetric>[0]);
  return metric;
}

export interface TallyCounterChild {
  inc(): void;
}

class TallyCounterImpl implements Registered {
  readonly type = 'counter' as const;
  readonly aggregator = 'sum' as const;
  private readonly children = new Map<string, { labels: Labels; n: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
  ) {}

  /** The child for these label values (in labelNames order): look it up once, inc() it per event. */
  labels(...values: string[]): TallyCounterChild {
    const key = values.join('\u0000');
    let c = this.children.get(key);
    if (!c) {
      const labels: Labels = {};
      this.labelNames.forEach((l, i) => {
        labels[l] = values[i] ?? '';
      });
      this.children.set(key, (c = { labels, n: 0 }));
    }
    const child = c;
    return {
      inc() {
        child.n++;
      },
    };
  }

  get(): Promise<MetricJson> {
    const values = [...this.children.values()].map((c) => ({ labels: { ...c.labels }, value: c.n }));
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  reset(): void {
    for (const c of this.children.values()) c.n = 0;
  }
}

export interface TallyHistogramChild {
  /** One observation of `value`, or `times` of them (a batch's users sharing its time). */
  observe(value: number, times?: number): void;
}

class TallyHistogramImpl implements Registered {
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  private readonly children = new Map<string, { labels: Labels; counts: Float64Array; sum: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelName: string,
    private readonly bounds: readonly number[],
  ) {}

  labels(value: string): TallyHistogramChild {
    let c = this.children.get(value);
    // counts[b]: observations in bucket b alone (<= bounds[b], above the one before); the last slot is past every
    // bound.
    if (!c)
      this.children.set(
        value,
        (c = { labels: { [this.labelName]: value }, counts: new Float64Array(this.bounds.length + 1), sum: 0 }),
      );
    const child = c;
    const bounds = this.bounds;
    return {
      observe(v: number, times = 1) {
        let b = 0;
        while (b < bounds.length && v > bounds[b]!) b++;
        child.counts[b]! += times;
        child.sum += v * times;
      },
    };
  }

  get(): Promise<MetricJson> {
    const values: MetricJson['values'] = [];
    for (const c of this.children.values()) {
      let acc = 0;
      this.bounds.forEach((le, b) => {
        acc += c.counts[b]!;
        values.push({ labels: { le, ...c.labels }, value: acc, metricName: `${this.name}_bucket` });
      });
      const count = acc + c.counts[this.bounds.length]!;
      values.push({ labels: { le: '+Inf', ...c.labels }, value: count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...c.labels }, value: c.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...c.labels }, value: count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  reset(): void {
    for (const c of this.children.values()) {
      c.counts.fill(0);
      c.sum = 0;
    }
  }
}

export type TallyCounter = Pick<TallyCounterImpl, 'labels' | 'get' | 'reset' | 'name'>;
export type TallyHistogram = Pick<TallyHistogramImpl, 'labels' | 'get' | 'reset' | 'name'>;

/** `registry`: where it is registered (a scoring worker's own); prom-client's default registry otherwise. */
export function tallyCounter(o: {
  name: string;
  help: string;
  labelNames: readonly string[];
  registry?: Registry;
}): TallyCounter {
  return adopt(new TallyCounterImpl(o.name, o.help, o.labelNames), o.registry);
}

export function tallyHistogram(o: {
  name: string;
  help: string;
  labelName: string;
  buckets: readonly number[];
  registry?: Registry;
}): TallyHistogram {
  return adopt(
    new TallyHistogramImpl(
      o.name,
      o.help,
      o.labelName,
      [...o.buckets].sort((a, b) => a - b),
    ),
    o.registry,
  );
}
