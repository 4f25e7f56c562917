import assert from "node:assert/strict";
import { Counter, Gauge, Histogram, LATENCY_BUCKETS, Registry } from "./registry.ts";

Deno.test("a counter with labels renders HELP, TYPE and one line per series", () => {
  const registry = new Registry();
  const docs = registry.counter({
    name: "t_documents_total",
    help: "Documents \\ written.\u00a0",
    labelNames: ["connector_id", "kind"],
  });
  docs.labels({ connector_id: "c1", kind: "a" }).inc();
  docs.labels({ connector_id: "c1", kind: "a" }).inc(4);
  docs.labels({ connector_id: 'we"ird\n', kind: "b" }).inc(0.5);
  assert.equal(
    registry.render(),
    [
      "# HELP t_documents_total Documents \\\\ written.\u00a0",
      "# TYPE t_documents_total counter",
      't_documents_total{connector_id="c1",kind="a"} 5',
      't_documents_total{connector_id="we\\"ird\\n",kind="b"} 0.5',
      "",
    ].join("\n"),
  );
});

Deno.test("counters only go up and must be named _total", () => {
  const counter = new Counter({ name: "t_total", help: "h" });
  assert.throws(() => counter.inc(-1), /only go up/);
  assert.throws(() => counter.inc(NaN), /only go up/);
  assert.throws(() => counter.inc(Infinity), /only go up/);
  assert.throws(() => new Counter({ name: "t_count", help: "h" }), /must be named \.\.\._total/);
});

Deno.test("metrics without labels are scraped as 0 before first use", () => {
  const registry = new Registry();
  registry.counter({ name: "t_a_total", help: "a" });
  registry.gauge({ name: "t_b", help: "b" });
  registry.histogram({ name: "t_c_seconds", help: "c", buckets: [1] });
  registry.counter({ name: "t_d_total", help: "d", labelNames: ["x"] });
  assert.deepEqual(registry.render().split("\n").filter((line) => !line.startsWith("#")), [
    "t_a_total 0",
    "t_b 0",
    't_c_seconds_bucket{le="1"} 0',
    't_c_seconds_bucket{le="+Inf"} 0',
    "t_c_seconds_sum 0",
    "t_c_seconds_count 0",
    "",
  ]);
});

Deno.test("labels must match the declared names exactly", () => {
  const gauge = new Gauge({ name: "t_g", help: "g", labelNames: ["a", "b"] });
  assert.throws(() => gauge.labels({ a: "1" } as never), /takes labels \[a, b\], got \[a\]/);
  assert.throws(
    () => gauge.labels({ a: "1", b: "2", c: "3" } as never),
    /takes labels \[a, b\], got \[a, b, c\]/,
  );
  assert.throws(() => gauge.set(1), /has labels a, b: use labels\(\)/);
  assert.throws(() => new Gauge({ name: "t", help: "h", labelNames: ["a", "a"] }), /twice/);
  assert.throws(() => new Gauge({ name: "t", help: "two\nlines" }), /one line/);
});

Deno.test("a gauge goes up and down; a removed series is no longer scraped", () => {
  const registry = new Registry();
  const gauge = registry.gauge({ name: "t_bytes", help: "b", labelNames: ["c"] });
  const one = gauge.labels({ c: "1" });
  one.inc(10);
  one.dec(3);
  gauge.labels({ c: "2" }).set(-1.5);
  assert.match(registry.render(), /^t_bytes\{c="1"\} 7\nt_bytes\{c="2"\} -1.5$/m);
  gauge.remove({ c: "1" });
  assert.doesNotMatch(registry.render(), /c="1"/);
});

Deno.test("histogram buckets are cumulative, le is last, +Inf equals the count", () => {
  const registry = new Registry();
  const latency = registry.histogram({
    name: "t_latency_seconds",
    help: "Latency.",
    labelNames: ["c"],
    buckets: [0.1, 1, 10],
  });
  const series = latency.labels({ c: "x" });
  for (const value of [0.05, 0.1, 0.5, 2, 20, 30]) series.observe(value);
  assert.equal(
    registry.render(),
    [
      "# HELP t_latency_seconds Latency.",
      "# TYPE t_latency_seconds histogram",
      't_latency_seconds_bucket{c="x",le="0.1"} 2',
      't_latency_seconds_bucket{c="x",le="1"} 3',
      't_latency_seconds_bucket{c="x",le="10"} 4',
      't_latency_seconds_bucket{c="x",le="+Inf"} 6',
      't_latency_seconds_sum{c="x"} 52.65',
      't_latency_seconds_count{c="x"} 6',
      "",
    ].join("\n"),
  );
});

Deno.test("histogram declarations are checked", () => {
  assert.throws(
    () => new Histogram({ name: "t", help: "h", buckets: [1, 1] }),
    /finite and increasing/,
  );
  assert.throws(
    () => new Histogram({ name: "t", help: "h", buckets: [1, Infinity] }),
    /finite and increasing/,
  );
  assert.throws(
    () => new Histogram({ name: "t", help: "h", labelNames: ["le"], buckets: [1] }),
    /label named le/,
  );
  assert.throws(() => new Histogram({ name: "t", help: "h", buckets: [1] }).observe(NaN), /NaN/);
  const sorted = [...LATENCY_BUCKETS].sort((a, b) => a - b);
  assert.deepEqual(LATENCY_BUCKETS, sorted);
});

Deno.test("collectors run before each render; names are unique per registry", () => {
  const registry = new Registry();
  const age = registry.gauge({ name: "t_age_seconds", help: "age" });
  let now = 5;
  registry.onCollect(() => age.set(now));
  assert.match(registry.render(), /^t_age_seconds 5$/m);
  now = 9;
  assert.match(registry.render(), /^t_age_seconds 9$/m);
  assert.throws(() => registry.gauge({ name: "t_age_seconds", help: "again" }), /declared twice/);
});
