/**
 * Metrics in the Prometheus text exposition format, without a dependency: a registry of
 * counters, gauges and histograms with labels, rendered for a `/metrics` scrape.
 *
 * @example
 * ```ts
 * import { EXPOSITION_CONTENT_TYPE, LATENCY_BUCKETS, Registry } from "./lib/metrics/mod.ts";
 * const registry = new Registry();
 * const latency = registry.histogram({
 *   name: "app_request_duration_seconds",
 *   help: "Request latency.",
 *   buckets: LATENCY_BUCKETS,
 * });
 * latency.observe(0.12);
 * new Response(registry.render(), { headers: { "content-type": EXPOSITION_CONTENT_TYPE } });
 * ```
 * @module
 */
export {
  Counter,
  CounterSeries,
  Gauge,
  GaugeSeries,
  Histogram,
  type HistogramOptions,
  HistogramSeries,
  type LabelValues,
  LATENCY_BUCKETS,
  type MetricOptions,
  Registry,
} from "./registry.ts";
export { EXPOSITION_CONTENT_TYPE } from "./exposition.ts";
