/**
 * The pieces of the Prometheus text exposition format (version 0.0.4): names, escaping and
 * numbers, so every metric type writes them the same way.
 * @module
 */

/** `Content-Type` of a scrape response in this format. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Throws unless `name` is a valid metric name, e.g. `connectors_documents_indexed_total`. */
export function checkMetricName(name: string): void {
  if (!METRIC_NAME.test(name)) {
    throw new Error(`metric name "${name}" is invalid: use letters, digits, _ and :`);
  }
}

/** Throws unless `name` is a valid label name that users may set (`__*` is reserved). */
export function checkLabelName(name: string): void {
  if (!LABEL_NAME.test(name) || name.startsWith("__")) {
    throw new Error(
      `label name "${name}" is invalid: use letters, digits and _, not starting with __`,
    );
  }
}

/** `# HELP` text: backslash and line feed are escaped. */
export function escapeHelp(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

/** A label value between double quotes: backslash, double quote and line feed are escaped. */
export function escapeLabelValue(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

/** A sample value or `le` bound: `+Inf`, `-Inf` and `NaN` as Prometheus spells them. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/** `{a="x",b="y"}` for parallel name and value lists, or "" when there are none. */
export function formatLabels(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return "";
  const pairs = names.map((name, i) => `${name}="${escapeLabelValue(values[i])}"`);
  return `{${pairs.join(",")}}`;
}

/** A sample: its label names and values (parallel lists) and its value. */
export interface Sample {
  labelNames: readonly string[];
  labelValues: readonly string[];
  value: number;
}

/** One sample line: `name{labels} value`. */
export function sampleLine(name: string, sample: Sample): string {
  return `${name}${formatLabels(sample.labelNames, sample.labelValues)} ${
    formatNumber(sample.value)
  }`;
}
