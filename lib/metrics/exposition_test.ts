import assert from "node:assert/strict";
import {
  checkLabelName,
  checkMetricName,
  escapeHelp,
  escapeLabelValue,
  formatLabels,
  formatNumber,
  sampleLine,
} from "./exposition.ts";

Deno.test("label values escape backslash, double quote and line feed, in that order", () => {
  assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  assert.equal(escapeLabelValue("plain-id_1"), "plain-id_1");
  assert.equal(escapeLabelValue("ünïcode ✓"), "ünïcode ✓");
});

Deno.test("help text escapes backslash and line feed but keeps double quotes", () => {
  assert.equal(escapeHelp('Bytes "held"\\in\nflight'), 'Bytes "held"\\\\in\\nflight');
});

Deno.test("numbers: integers, fractions and the special values as Prometheus spells them", () => {
  assert.equal(formatNumber(0), "0");
  assert.equal(formatNumber(42), "42");
  assert.equal(formatNumber(0.005), "0.005");
  assert.equal(formatNumber(1e21), "1e+21");
  assert.equal(formatNumber(Infinity), "+Inf");
  assert.equal(formatNumber(-Infinity), "-Inf");
  assert.equal(formatNumber(NaN), "NaN");
});

Deno.test("labels render in the declared order; none render as nothing", () => {
  assert.equal(formatLabels(["b", "a"], ["2", 'x"y']), '{b="2",a="x\\"y"}');
  assert.equal(formatLabels([], []), "");
  assert.equal(
    sampleLine("m_total", { labelNames: ["c"], labelValues: ["1"], value: 3 }),
    'm_total{c="1"} 3',
  );
});

Deno.test("invalid metric and label names are refused", () => {
  checkMetricName("connectors_bulk_request_duration_seconds");
  checkMetricName("ns:rule_name");
  assert.throws(() => checkMetricName("2xx_total"), /metric name "2xx_total" is invalid/);
  assert.throws(() => checkMetricName("has-dash"), /invalid/);
  checkLabelName("connector_id");
  assert.throws(() => checkLabelName("__name__"), /not starting with __/);
  assert.throws(() => checkLabelName("a:b"), /invalid/);
});
