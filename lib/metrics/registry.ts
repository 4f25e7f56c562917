/**
 * Counters, gauges and histograms with labels, and the registry that renders them in the
 * Prometheus text format. Series are created on first use; a metric without labels always has
 * its one series, so it is scraped as 0 before anything happens.
 *
 * @example
 * ```ts
 * const registry = new Registry();
 * const indexed = registry.counter({
 *   name: "app_documents_indexed_total",
 *   help: "Documents indexed.",
 *   labelNames: ["connector_id"],
 * });
 * indexed.labels({ connector_id: "c1" }).inc(10);
 * registry.render(); // "# HELP app_documents_indexed_total ...\n# TYPE ... counter\n..."
 * ```
 * @module
 */
import {
  checkLabelName,
  checkMetricName,
  escapeHelp,
  formatNumber,
  sampleLine,
} from "./exposition.ts";

/** Upper bounds (seconds) for latencies from a millisecond to a minute. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
  60,
];

/** What every metric is declared with; `labelNames` fixes the labels of every series. */
export interface MetricOptions<L extends string> {
  name: string;
  /** One line shown by `# HELP`. */
  help: string;
  labelNames?: readonly L[];
}

/** Options of a histogram: the upper bounds of its buckets (`+Inf` is added). */
export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  buckets: readonly number[];
}

/** Label values by label name. */
export type LabelValues<L extends string> = Readonly<Record<L, string>>;

/** The series of one metric, by label values; see the concrete metrics below. */
abstract class Family<L extends string, S> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  abstract readonly type: "counter" | "gauge" | "histogram";
  readonly #series = new Map<string, { values: string[]; series: S }>();

  constructor(options: MetricOptions<L>) {
    checkMetricName(options.name);
    const labelNames = options.labelNames ?? [];
    for (const label of labelNames) checkLabelName(label);
    if (new Set(labelNames).size !== labelNames.length) {
      throw new Error(`metric ${options.name} lists a label name twice`);
    }
    if (options.help.includes("\n")) {
      throw new Error(`metric ${options.name}: help must be one line`);
    }
    this.name = options.name;
    this.help = options.help;
    this.labelNames = labelNames;
  }

  /** The series with these label values, created at zero when new. */
  labels(labels: LabelValues<L>): S {
    const values = this.#values(labels);
    const key = JSON.stringify(values);
    let entry = this.#series.get(key);
    if (!entry) {
      entry = { values, series: this.newSeries() };
      this.#series.set(key, entry);
    }
    return entry.series;
  }

  /** Forgets the series with these label values (it is no longer scraped). */
  remove(labels: LabelValues<L>): void {
    this.#series.delete(JSON.stringify(this.#values(labels)));
  }

  /** `# HELP`, `# TYPE` and the sample lines. */
  render(): string[] {
    const lines = [
      `# HELP ${this.name} ${escapeHelp(this.help)}`,
      `# TYPE ${this.name} ${this.type}`,
    ];
    for (const { values, series } of this.#series.values()) {
      lines.push(...this.seriesLines(values, series));
    }
    return lines;
  }

  protected abstract newSeries(): S;
  protected abstract seriesLines(values: readonly string[], series: S): string[];

  /** The series of a metric without labels (created with the metric). */
  protected get unlabelled(): S {
    if (this.labelNames.length > 0) {
      throw new Error(`metric ${this.name} has labels ${this.labelNames.join(", ")}: use labels()`);
    }
    return this.labels({} as LabelValues<L>);
  }

  protected ensureUnlabelledSeries(): void {
    if (this.labelNames.length === 0) this.labels({} as LabelValues<L>);
  }

  #values(labels: LabelValues<L>): string[] {
    const given = Object.keys(labels);
    const extra = given.filter((name) => !(this.labelNames as readonly string[]).includes(name));
    const missing = this.labelNames.filter((name) => !given.includes(name));
    if (extra.length > 0 || missing.length > 0) {
      throw new Error(
        `metric ${this.name} takes labels [${this.labelNames.join(", ")}], got [${
          given.join(", ")
        }]`,
      );
    }
    return this.labelNames.map((name) => String(labels[name]));
  }
}

/** A metric whose series hold one value each (counters and gauges): one sample line each. */
abstract class ValueFamily<L extends string, S extends { value: number }> extends Family<L, S> {
  protected seriesLines(values: readonly string[], series: S): string[] {
    const labels = { labelNames: this.labelNames, labelValues: values };
    return [sampleLine(this.name, { ...labels, value: series.value })];
  }
}

/** One counter series: only goes up. */
export class CounterSeries {
  value = 0;

  /** Adds `amount` (default 1); a negative or non-finite amount throws. */
  inc(amount = 1): void {
    if (!(amount >= 0) || !Number.isFinite(amount)) {
      throw new Error(`a counter can only go up by a finite amount, got ${amount}`);
    }
    this.value += amount;
  }
}

/** A monotonic count; its name must end in `_total`. */
export class Counter<L extends string = never> extends ValueFamily<L, CounterSeries> {
  readonly type = "counter";

  constructor(options: MetricOptions<L>) {
    super(options);
    if (!options.name.endsWith("_total")) {
      throw new Error(`counter ${options.name} must be named ..._total`);
    }
    this.ensureUnlabelledSeries();
  }

  /** Adds to the series of a counter without labels. */
  inc(amount = 1): void {
    this.unlabelled.inc(amount);
  }

  protected newSeries(): CounterSeries {
    return new CounterSeries();
  }
}

/** One gauge series: any value. */
export class GaugeSeries {
  value = 0;

  set(value: number): void {
    this.value = value;
  }

  inc(amount = 1): void {
    this.value += amount;
  }

  dec(amount = 1): void {
    this.value -= amount;
  }
}

/** A value that goes up and down. */
export class Gauge<L extends string = never> extends ValueFamily<L, GaugeSeries> {
  readonly type = "gauge";

  constructor(options: MetricOptions<L>) {
    super(options);
    this.ensureUnlabelledSeries();
  }

  /** Sets the series of a gauge without labels. */
  set(value: number): void {
    this.unlabelled.set(value);
  }

  protected newSeries(): GaugeSeries {
    return new GaugeSeries();
  }
}

/** One histogram series: a count per bucket (not cumulative), the sum and the count. */
export class HistogramSeries {
  readonly bounds: readonly number[];
  /** Observations per bucket; the last one is `+Inf`. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.counts = new Array(bounds.length).fill(0);
  }

  /** Records one observation; NaN throws. */
  observe(value: number): void {
    if (Number.isNaN(value)) throw new Error("a histogram cannot observe NaN");
    let i = 0;
    while (value > this.bounds[i]) i++;
    this.counts[i]++;
    this.sum += value;
    this.count++;
  }
}

/** Observations counted in buckets by upper bound (`le`), with their sum and count. */
export class Histogram<L extends string = never> extends Family<L, HistogramSeries> {
  readonly type = "histogram";
  /** Bucket upper bounds, ending with `+Inf`. */
  readonly bounds: readonly number[];

  constructor(options: HistogramOptions<L>) {
    super(options);
    if ((options.labelNames as readonly string[] | undefined)?.includes("le")) {
      throw new Error(`histogram ${options.name} cannot have a label named le`);
    }
    const buckets = options.buckets;
    buckets.forEach((bound, i) => {
      if (!Number.isFinite(bound) || (i > 0 && bound <= buckets[i - 1])) {
        throw new Error(
          `histogram ${options.name}: buckets must be finite and increasing, got ${
            buckets.join(", ")
          }`,
        );
      }
    });
    this.bounds = [...buckets, Infinity];
    this.ensureUnlabelledSeries();
  }

  /** Records one observation in a histogram without labels. */
  observe(value: number): void {
    this.unlabelled.observe(value);
  }

  protected newSeries(): HistogramSeries {
    return new HistogramSeries(this.bounds);
  }

  protected seriesLines(values: readonly string[], series: HistogramSeries): string[] {
    const lines: string[] = [];
    const bucketLabels = [...this.labelNames, "le"];
    let cumulative = 0;
    series.bounds.forEach((bound, i) => {
      cumulative += series.counts[i];
      const labelValues = [...values, formatNumber(bound)];
      lines.push(
        sampleLine(`${this.name}_bucket`, {
          labelNames: bucketLabels,
          labelValues,
          value: cumulative,
        }),
      );
    });
    const labels = { labelNames: this.labelNames, labelValues: values };
    lines.push(sampleLine(`${this.name}_sum`, { ...labels, value: series.sum }));
    lines.push(sampleLine(`${this.name}_count`, { ...labels, value: series.count }));
    return lines;
  }
}

/** Any metric a registry holds. */
export type Metric = Counter<string> | Gauge<string> | Histogram<string>;

/** Metrics by name, in the order they were declared; renders them for a scrape. */
export class Registry {
  readonly #metrics = new Map<string, Metric>();
  readonly #collectors: Array<() => void> = [];

  /** Declares a counter. */
  counter<L extends string = never>(options: MetricOptions<L>): Counter<L> {
    return this.#add(new Counter(options));
  }

  /** Declares a gauge. */
  gauge<L extends string = never>(options: MetricOptions<L>): Gauge<L> {
    return this.#add(new Gauge(options));
  }

  /** Declares a histogram. */
  histogram<L extends string = never>(options: HistogramOptions<L>): Histogram<L> {
    return this.#add(new Histogram(options));
  }

  /** Runs `collect` before each render, to bring values read at scrape time up to date. */
  onCollect(collect: () => void): void {
    this.#collectors.push(collect);
  }

  /** Every metric in the text exposition format, ending with a line feed. */
  render(): string {
    for (const collect of this.#collectors) collect();
    const lines: string[] = [];
    for (const metric of this.#metrics.values()) lines.push(...metric.render());
    return lines.join("\n") + "\n";
  }

  #add<M extends Metric>(metric: M): M {
    if (this.#metrics.has(metric.name)) {
      throw new Error(`metric ${metric.name} is declared twice`);
    }
    this.#metrics.set(metric.name, metric);
    return metric;
  }
}
